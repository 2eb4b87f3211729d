/**
 * Turns one symbol's samples into feature rows, causally: every column at t uses data up to t only
 * (labels and `p_up` are added later by the row pipeline). O(1) per sample apart from the top-L reads.
 * With trades enabled, `trade()` feeds the trade-flow imbalance and VPIN between samples.
 */
import type { BookSample } from '../book-sample.js';
import { copyDepthView, createDepthView, type DepthView } from '../book/depth-view.js';
import { askDepthSlope, bidDepthSlope } from '../features/depth-slope.js';
import {
  askVolume,
  bidVolume,
  decayedImbalance,
  imbalanceAtDepths,
  orderBookImbalance,
  priceWeightedImbalance,
} from '../features/imbalance.js';
import { multiLevelOrderFlowImbalance, orderFlowImbalance } from '../features/order-flow-imbalance.js';
import { bestAsk, bestBid, midPrice, spread, spreadBps } from '../features/spread.js';
import { volumeAdjustedMid, weightedMid } from '../features/weighted-mid.js';
import { Ewma } from '../stats/ewma.js';
import { RollingMeanStd } from '../stats/rolling-mean-std.js';
import { RollingQuantile } from '../stats/rolling-quantile.js';
import { TradeFlowImbalance } from '../features/trade-flow.js';
import { Vpin } from '../features/vpin.js';
import { horizonColumn } from '../labels/forward-returns.js';
import { ToxicityGate } from '../signal/toxicity-gate.js';
import type { Trade } from '../../events.js';
import { gateOptions, rollingWindowRows, viewDepth, type FeatureOptions } from '../../options.js';
import type { FeatureRow } from './feature-row.js';
import { formatTimestampMicros } from './timestamp.js';

/** The seed's EWMA warm-up: `ewm(..., min_periods=5)`. */
const EWMA_MIN_PERIODS = 5;
/** The seed's z-score guard: `(obi - m) / (s + 1e-12)`. */
const Z_EPSILON = 1e-12;

export class FeatureEngine {
  private readonly obiEma: Ewma;
  private readonly obiPwEma: Ewma;
  private readonly obiRolling: RollingMeanStd;
  private readonly absObiQuantile: RollingQuantile;
  private readonly prevView: DepthView;
  private prevOk = false;
  private prevMid = Number.NaN;
  private readonly obiAtDepths: Float64Array;
  private readonly ofiPerLevel: Float64Array;
  private readonly obiLevelColumns: string[];
  private readonly ofiLevelColumns: string[];
  private readonly labelColumns: string[];
  private readonly gate: ToxicityGate;
  private readonly tradeFlow: TradeFlowImbalance | null;
  private readonly vpin: Vpin | null;
  private lastTradeMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: FeatureOptions) {
    this.obiEma = new Ewma({ span: o.ema, minPeriods: EWMA_MIN_PERIODS });
    this.obiPwEma = new Ewma({ span: o.ema, minPeriods: EWMA_MIN_PERIODS });
    const roll = rollingWindowRows(o.intervalSec);
    // Seed: rolling(roll, min_periods=roll//3)
    this.obiRolling = new RollingMeanStd({ window: roll, minPeriods: Math.floor(roll / 3) });
    this.absObiQuantile = new RollingQuantile({
      window: roll,
      minPeriods: Math.floor(roll / 3),
      q: o.extremeQuantile,
    });
    this.prevView = createDepthView(viewDepth(o));
    this.obiAtDepths = new Float64Array(o.obiLevels.length);
    this.ofiPerLevel = new Float64Array(o.ofiLevels);
    this.obiLevelColumns = o.obiLevels.map((k) => `obi_l${k}`);
    this.ofiLevelColumns = Array.from({ length: o.ofiLevels }, (_, i) => `ofi_l${i + 1}`);
    this.labelColumns = o.horizonsMs.map(horizonColumn);
    this.gate = new ToxicityGate(gateOptions(o));
    this.tradeFlow = o.trades ? new TradeFlowImbalance(o.tfiWindowSec) : null;
    this.vpin = o.trades
      ? new Vpin({ barSec: o.vpinBarSec, bucketVolume: o.vpinBucketVolume, buckets: o.vpinBuckets })
      : null;
  }

  /**
   * Feeds one trade of this symbol (ignored unless trades are enabled). Trades are placed on the local
   * receive clock (`localTimeMs`), the clock of the sample times; one that is earlier than the previous
   * trade counts at the previous trade's time.
   */
  trade(t: Trade): void {
    if (this.tradeFlow === null || this.vpin === null) return;
    const time = Math.max(t.localTimeMs, this.lastTradeMs);
    this.lastTradeMs = time;
    this.tradeFlow.add(time, t.qty, t.buyerIsMaker);
    this.vpin.add(time, t.price, t.qty);
  }

  /** Returns the feature row of this sample; `mid_ret_fwd`, `ret_fwd_*` and `p_up` are NaN until filled. */
  next(s: BookSample): FeatureRow {
    const o = this.o;
    const L = o.levels;
    const ok = s.status === 'ok';
    const v = s.view;
    // A sample with an empty side is invalid: the seed raises "Empty depth arrays" and writes a NaN row.
    const usable = ok && v.bidCount > 0 && v.askCount > 0;

    const obi = usable ? orderBookImbalance(v, L) : Number.NaN;
    const obiPw = usable ? priceWeightedImbalance(v, L) : Number.NaN;
    const mid = usable ? midPrice(v) : Number.NaN;
    const absObi = Math.abs(obi);

    // Causal extreme flag: threshold from the trailing window of PAST rows (the seed's whole-run quantile
    // looked ahead). Read before this row enters the window.
    const threshold = this.absObiQuantile.value;
    this.absObiQuantile.update(absObi);
    this.obiRolling.update(obi);
    const z = (obi - this.obiRolling.mean) / (this.obiRolling.std + Z_EPSILON);

    if (usable) imbalanceAtDepths(v, o.obiLevels, this.obiAtDepths);
    else this.obiAtDepths.fill(Number.NaN);
    const haveFlow = usable && this.prevOk;
    const ofi = haveFlow ? orderFlowImbalance(this.prevView, v) : Number.NaN;
    const mlofi = haveFlow
      ? multiLevelOrderFlowImbalance(this.prevView, v, o.ofiLevels, this.ofiPerLevel)
      : (this.ofiPerLevel.fill(Number.NaN), Number.NaN);

    const latency =
      s.requestTimeMs !== null && s.receiveTimeMs !== null ? s.receiveTimeMs - s.requestTimeMs : Number.NaN;

    const row: FeatureRow = {
      timestamp: formatTimestampMicros(s.timeMs),
      lastUpdateId: usable ? s.lastUpdateId : null,
      best_bid: usable ? bestBid(v) : Number.NaN,
      best_ask: usable ? bestAsk(v) : Number.NaN,
      mid,
      bid_vol_L: usable ? bidVolume(v, L) : Number.NaN,
      ask_vol_L: usable ? askVolume(v, L) : Number.NaN,
      obi,
      obi_pw: obiPw,
      obi_ema: this.obiEma.update(obi),
      obi_pw_ema: this.obiPwEma.update(obiPw),
      mid_ret: Math.log(mid) - Math.log(this.prevMid),
      mid_ret_fwd: Number.NaN,
      obi_z: z,
      obi_extreme_flag: absObi >= threshold ? 1 : 0,
      symbol: s.symbol,
      status: ok && !usable ? 'invalid' : s.status,
      reason: ok && !usable ? 'empty book side' : s.reason,
      time_ms: s.timeMs,
      exchange_time_ms: s.exchangeTimeMs,
      request_time_ms: s.requestTimeMs,
      latency_ms: latency,
      crossed: ok ? (s.crossed ? 1 : 0) : null,
      locked: ok ? (s.locked ? 1 : 0) : null,
      depth_bid: ok ? Math.min(v.bidCount, L) : null,
      depth_ask: ok ? Math.min(v.askCount, L) : null,
      spread: usable ? spread(v) : Number.NaN,
      spread_bps: usable ? spreadBps(v) : Number.NaN,
      obi_decay: usable ? decayedImbalance(v, L, o.decayAlpha) : Number.NaN,
      weighted_mid: usable ? weightedMid(v) : Number.NaN,
      vamp: usable ? volumeAdjustedMid(v, L) : Number.NaN,
      ofi,
      mlofi,
      depth_slope_bid: usable ? bidDepthSlope(v, L) : Number.NaN,
      depth_slope_ask: usable ? askDepthSlope(v, L) : Number.NaN,
      depth_slope_diff: Number.NaN,
      obi_extreme_thr: threshold,
    };
    row['depth_slope_diff'] = (row['depth_slope_bid'] as number) - (row['depth_slope_ask'] as number);
    for (let i = 0; i < this.obiLevelColumns.length; i++) {
      row[this.obiLevelColumns[i]!] = this.obiAtDepths[i]!;
    }
    for (let i = 0; i < this.ofiLevelColumns.length; i++) {
      row[this.ofiLevelColumns[i]!] = this.ofiPerLevel[i]!;
    }
    if (this.tradeFlow !== null && this.vpin !== null) {
      row['tfi'] = this.tradeFlow.valueAt(s.timeMs);
      this.vpin.advance(s.timeMs);
      row['vpin'] = this.vpin.value;
    }
    row['gate'] = this.gate.update(row);
    row['gate_age'] = this.gate.ageRows;
    row['p_up'] = Number.NaN;
    for (const column of this.labelColumns) row[column] = Number.NaN;

    this.prevMid = mid;
    this.prevOk = usable;
    if (usable) copyDepthView(v, this.prevView);
    return row;
  }
}
