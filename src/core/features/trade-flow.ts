/**
 * Trade-flow imbalance over a trailing time window: TFI = (V_buy − V_sell) / (V_buy + V_sell) over the
 * trades with time in (t − W, t], signed by the aggressor (Binance `m` = buyer is maker → the aggressor sold;
 * BINANCE.md, trade streams). In [−1, 1]; NaN when the window holds no volume. The trade-sign analogue of
 * the book's OBI (Cont, Kukanov & Stoikov 2014 use the same net aggressive volume as "trade imbalance").
 *
 * Exact: every trade in the window is kept (memory ∝ trades per window). The running sums are compensated
 * (Neumaier 1974), so subtracting a departed large print does not wipe out the small ones left, and are
 * recomputed from the kept trades whenever as many trades have left as remain (amortised O(1) per trade).
 */
import { ConfigError } from '../../errors.js';
import { OutOfOrderTimeError } from '../stats/out-of-order-time-error.js';

export class TradeFlowImbalance {
  readonly windowMs: number;
  private times = new Float64Array(64);
  private signed = new Float64Array(64);
  private volumes = new Float64Array(64);
  private head = 0;
  private length = 0;
  private readonly sumSigned = new CompensatedSum();
  private readonly sumVolume = new CompensatedSum();
  private evictedSinceRecompute = 0;
  private lastTimeMs = Number.NEGATIVE_INFINITY;

  constructor(windowSec: number) {
    if (!(windowSec > 0) || !Number.isFinite(windowSec)) {
      throw new ConfigError(`--tfi-window ${windowSec}: must be a number of seconds > 0`, 'tfi-window');
    }
    this.windowMs = windowSec * 1000;
  }

  /**
   * Adds one trade at `timeMs` (non-decreasing; throws OutOfOrderTimeError otherwise). `buyerIsMaker` is
   * Binance's `m`. Trades with a non-positive or non-finite quantity are ignored.
   */
  add(timeMs: number, qty: number, buyerIsMaker: boolean): void {
    if (!(timeMs >= this.lastTimeMs)) throw new OutOfOrderTimeError(timeMs, this.lastTimeMs);
    this.lastTimeMs = timeMs;
    if (!(qty > 0) || !Number.isFinite(qty)) return;
    if (this.length === this.times.length) this.grow();
    const i = (this.head + this.length) % this.times.length;
    const s = buyerIsMaker ? -qty : qty;
    this.times[i] = timeMs;
    this.signed[i] = s;
    this.volumes[i] = qty;
    this.length++;
    this.sumSigned.add(s);
    this.sumVolume.add(qty);
  }

  /** Returns TFI over (timeMs − W, timeMs], dropping trades that left the window; NaN without volume. */
  valueAt(timeMs: number): number {
    this.evict(timeMs);
    const volume = this.sumVolume.value;
    if (this.length === 0 || !(volume > 0)) return Number.NaN;
    const v = this.sumSigned.value / volume;
    return v > 1 ? 1 : v < -1 ? -1 : v;
  }

  /** Total traded volume in the window as of the latest `valueAt`. */
  get volume(): number {
    return this.sumVolume.value;
  }

  /** Trades in the window as of the latest `valueAt`. */
  get count(): number {
    return this.length;
  }

  reset(): void {
    this.head = 0;
    this.length = 0;
    this.sumSigned.reset();
    this.sumVolume.reset();
    this.evictedSinceRecompute = 0;
    this.lastTimeMs = Number.NEGATIVE_INFINITY;
  }

  private evict(timeMs: number): void {
    const cutoff = timeMs - this.windowMs;
    const cap = this.times.length;
    while (this.length > 0 && this.times[this.head]! <= cutoff) {
      this.sumSigned.add(-this.signed[this.head]!);
      this.sumVolume.add(-this.volumes[this.head]!);
      this.head = (this.head + 1) % cap;
      this.length--;
      this.evictedSinceRecompute++;
    }
    if (this.evictedSinceRecompute > 0 && this.evictedSinceRecompute >= this.length) this.recompute();
  }

  private recompute(): void {
    this.sumSigned.reset();
    this.sumVolume.reset();
    const cap = this.times.length;
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) % cap;
      this.sumSigned.add(this.signed[i]!);
      this.sumVolume.add(this.volumes[i]!);
    }
    this.evictedSinceRecompute = 0;
  }

  private grow(): void {
    const cap = this.times.length;
    const next = cap * 2;
    const copy = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(next);
      for (let k = 0; k < this.length; k++) b[k] = a[(this.head + k) % cap]!;
      return b;
    };
    this.times = copy(this.times);
    this.signed = copy(this.signed);
    this.volumes = copy(this.volumes);
    this.head = 0;
  }
}

/** Neumaier's improved Kahan summation ("Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen", ZAMM 54, 1974). */
class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }

  reset(): void {
    this.sum = 0;
    this.compensation = 0;
  }
}
