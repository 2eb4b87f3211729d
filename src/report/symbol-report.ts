/**
 * Everything the report keeps about one symbol while rows stream by: display buckets, obi-decile and gate
 * accumulators, the lead/lag fallback and data quality. Memory is fixed by the options, not by the rows.
 */
import type { Row, RowValue } from '../io/sinks/row-sink.js';
import { DataQuality } from './data-quality.js';
import { GateReturns } from './gate-returns.js';
import { gateStateOf } from './gate-state.js';
import { LeadLagAccumulator } from './lead-lag-profile.js';
import { ObiDeciles } from './obi-deciles.js';
import type { SymbolReportData, TimeSeriesName } from './report-data.js';
import type { ReturnHorizon } from './return-horizons.js';
import { TimeBuckets } from './time-buckets.js';

/** How a time series is reduced per bucket. */
type Reduction = 'envelope' | 'mean';

const TIME_SERIES: readonly { readonly name: TimeSeriesName; readonly reduce: Reduction }[] = [
  { name: 'mid', reduce: 'envelope' },
  { name: 'obi', reduce: 'envelope' },
  { name: 'obi_ema', reduce: 'envelope' },
  { name: 'spread_bps', reduce: 'envelope' },
  { name: 'bid_vol_L', reduce: 'mean' },
  { name: 'ask_vol_L', reduce: 'mean' },
  { name: 'latency_ms', reduce: 'envelope' },
  { name: 'p_up', reduce: 'mean' },
];

/** Features whose lead/lag profile the report computes itself when the metrics have none. */
export const LEAD_LAG_FEATURES = ['obi', 'obi_ema'] as const;

/** Counters per bucket: row statuses, then gate states. */
const C_OK = 0;
const C_BAD = 1;
const C_BEARISH = 2;
const C_NEUTRAL = 3;
const C_BULLISH = 4;

/** Options shared by every symbol of a report. */
export interface SymbolReportOptions {
  /** The columns rows have (header of the CSV, or keys of the first row). */
  readonly columns: ReadonlySet<string>;
  readonly horizons: readonly ReturnHorizon[];
  /** Display buckets (about one per pixel column). */
  readonly buckets: number;
  /** Largest lag K of the fallback lead/lag profile. */
  readonly maxLag: number;
  /** The sampling interval (ms) when known. */
  readonly intervalMs: number | null;
}

/** Returns a cell as a number: NaN for null, empty or non-numeric text; booleans as 1/0. */
export function numberOf(value: RowValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/**
 * Returns the row's time (epoch ms) from `time_ms`, else from the seed's ISO `timestamp` (microseconds
 * kept); NaN when neither reads.
 */
export function rowTimeMs(row: Row): number {
  const t = numberOf(row['time_ms']);
  if (Number.isFinite(t)) return t;
  const text = row['timestamp'];
  if (typeof text !== 'string') return Number.NaN;
  // `2024-08-08T23:54:15.021156Z`: Date.parse keeps milliseconds only, so the rest is added back.
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(text.trim());
  if (m === null) return Date.parse(text);
  const base = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  const fraction = m[2] ?? '';
  return fraction === '' ? base : base + Number(`0.${fraction}`) * 1000;
}

export class SymbolReport {
  private readonly series: readonly { readonly name: TimeSeriesName; readonly reduce: Reduction }[];
  private readonly buckets: TimeBuckets;
  private readonly deciles: ObiDeciles;
  private readonly gate: GateReturns | null;
  private readonly leadLag: LeadLagAccumulator;
  private readonly quality: DataQuality;
  private readonly values: Float64Array;
  private readonly returns: Float64Array;
  private readonly leadLagValues: Float64Array;
  private readonly counters: number[] = [];
  private readonly hasStatus: boolean;
  private rows = 0;
  private firstMs = Number.NaN;
  private lastMs = Number.NaN;

  constructor(
    readonly symbol: string,
    private readonly o: SymbolReportOptions,
  ) {
    this.series = TIME_SERIES.filter((s) => o.columns.has(s.name));
    this.buckets = new TimeBuckets({
      series: this.series.map((s) => s.name),
      counters: ['ok', 'bad', 'bearish', 'neutral', 'bullish'],
      capacity: o.buckets,
    });
    this.deciles = new ObiDeciles(o.horizons.length);
    this.gate = o.columns.has('gate') ? new GateReturns(o.horizons.length) : null;
    this.leadLag = new LeadLagAccumulator(LEAD_LAG_FEATURES, o.maxLag);
    this.quality = new DataQuality(o.intervalMs);
    this.values = new Float64Array(this.series.length);
    this.returns = new Float64Array(o.horizons.length);
    this.leadLagValues = new Float64Array(LEAD_LAG_FEATURES.length);
    this.hasStatus = o.columns.has('status');
  }

  /** Adds one row of this symbol. */
  add(row: Row): void {
    const t = rowTimeMs(row);
    this.rows++;
    if (Number.isFinite(t)) {
      if (Number.isNaN(this.firstMs) || t < this.firstMs) this.firstMs = t;
      if (Number.isNaN(this.lastMs) || t > this.lastMs) this.lastMs = t;
    }
    const obi = numberOf(row['obi']);
    // The seed's CSV has no status column: a row without a mid is a row without a book.
    const status = this.hasStatus
      ? String(row['status'] ?? '')
      : Number.isNaN(numberOf(row['mid']))
        ? 'missing'
        : 'ok';
    for (let s = 0; s < this.series.length; s++) this.values[s] = numberOf(row[this.series[s]!.name]);
    for (let h = 0; h < this.o.horizons.length; h++)
      this.returns[h] = numberOf(row[this.o.horizons[h]!.column]);

    this.counters.length = 0;
    this.counters.push(status === 'ok' ? C_OK : C_BAD);
    const state = this.gate === null ? null : gateStateOf(row['gate']);
    if (state !== null) {
      this.counters.push(state === -1 ? C_BEARISH : state === 0 ? C_NEUTRAL : C_BULLISH);
      this.gate?.add(state, this.returns);
    }
    this.buckets.add(t, this.values, this.counters);
    this.deciles.add(obi, this.returns);
    for (let f = 0; f < LEAD_LAG_FEATURES.length; f++) {
      this.leadLagValues[f] = numberOf(row[LEAD_LAG_FEATURES[f]!]);
    }
    this.leadLag.add(this.leadLagValues, numberOf(row['mid_ret']));
    this.quality.add(
      t,
      status,
      typeof row['reason'] === 'string' ? row['reason'] : '',
      numberOf(row['crossed']) === 1,
      numberOf(row['latency_ms']),
    );
  }

  /** Returns the symbol's report section. `metrics` is its block of the metrics JSON, if any. */
  result(
    metrics: Readonly<Record<string, unknown>> | null,
    leadLagFromMetrics: SymbolReportData['leadLag'],
  ): SymbolReportData {
    const b = this.buckets;
    const x = b.envelopeX().map((ms) => ms / 1000);
    const series: Partial<Record<TimeSeriesName, (number | null)[]>> = {};
    this.series.forEach((s, i) => {
      const points = s.reduce === 'envelope' ? b.envelope(i) : b.meanPoints(i);
      // A column that is there but never filled (e.g. p_up without a predictor) is left out.
      if (points.some((y) => y !== null)) series[s.name] = points;
    });
    const bucketStart: number[] = [];
    const badShareByBucket: number[] = [];
    const gateByBucket: (-1 | 0 | 1 | null)[] = [];
    for (let i = 0; i < b.length; i++) {
      bucketStart.push(b.startOf(i) / 1000);
      const rows = b.rowsIn(i);
      badShareByBucket.push(rows > 0 ? b.counter(i, C_BAD) / rows : 0);
      gateByBucket.push(
        dominantGate(b.counter(i, C_BEARISH), b.counter(i, C_NEUTRAL), b.counter(i, C_BULLISH)),
      );
    }
    const notes: string[] = [];
    const gate = this.gate !== null && this.gate.count > 0 ? this.gate : null;
    if (this.gate === null) {
      notes.push('The rows have no gate column, so the toxicity gate is neither shaded nor tabulated.');
    } else if (gate === null) {
      notes.push(
        'The gate column is empty (no row had a gate state), so the gate is neither shaded nor tabulated.',
      );
    }
    if (!this.o.horizons.some((h) => h.column !== 'mid_ret_fwd')) {
      notes.push('The rows have no ret_fwd_<horizon> columns: forward returns are to the next sample only.');
    }
    if (!this.o.columns.has('latency_ms')) notes.push('The rows have no latency_ms column.');
    return {
      symbol: this.symbol,
      rows: this.rows,
      firstMs: Number.isNaN(this.firstMs) ? null : this.firstMs,
      lastMs: Number.isNaN(this.lastMs) ? null : this.lastMs,
      bucketMs: b.widthMs,
      x,
      series,
      bucketStart,
      gateByBucket: gate === null ? null : gateByBucket,
      badShareByBucket,
      horizons: this.o.horizons.map((h) => h.label),
      deciles: this.deciles.result(),
      gate: gate?.result() ?? null,
      leadLag: leadLagFromMetrics ?? this.leadLag.result(),
      quality: this.quality.result(),
      metrics,
      notes,
    };
  }
}

/** Returns the state most of a bucket's rows had (ties go to neutral), null when none had one. */
function dominantGate(bearish: number, neutral: number, bullish: number): -1 | 0 | 1 | null {
  if (bearish + neutral + bullish === 0) return null;
  if (bearish > neutral && bearish > bullish) return -1;
  if (bullish > neutral && bullish > bearish) return 1;
  return 0;
}
