/**
 * The data a report page draws, embedded in it as JSON: already downsampled and aggregated, so its size does
 * not grow with the run (about 100–300 kB per symbol whatever the number of rows).
 */
import type { DataQualitySummary } from './data-quality.js';
import type { GateState } from './gate-state.js';
import type { GateReturnTable } from './gate-returns.js';
import type { LeadLagProfile } from './lead-lag-profile.js';
import type { DecileRow } from './obi-deciles.js';

/** Version of this shape, for the page's script. */
export const REPORT_DATA_VERSION = 1;

/** Time series names a symbol may carry (present only when its column was in the rows). */
export type TimeSeriesName =
  'mid' | 'obi' | 'obi_ema' | 'spread_bps' | 'bid_vol_L' | 'ask_vol_L' | 'latency_ms' | 'p_up';

/** One symbol's section of the report. */
export interface SymbolReportData {
  readonly symbol: string;
  readonly rows: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** Width of one display bucket (ms). */
  readonly bucketMs: number;
  /** x of every time-series point, in seconds since the epoch (two points per bucket). */
  readonly x: readonly number[];
  /** Aligned with `x`; null = no value (a gap in the line). */
  readonly series: Partial<Record<TimeSeriesName, readonly (number | null)[]>>;
  /** Start of every bucket (seconds), one per bucket. */
  readonly bucketStart: readonly number[];
  /** The gate state most rows of each bucket had; null = none. Absent without a gate column. */
  readonly gateByBucket: readonly (GateState | null)[] | null;
  /** Share of each bucket's rows whose status was not `ok`. */
  readonly badShareByBucket: readonly number[];
  /** Labels of the forward-return horizons of `deciles` and `gate` (e.g. `next sample`, `5s`). */
  readonly horizons: readonly string[];
  readonly deciles: readonly DecileRow[];
  readonly gate: GateReturnTable | null;
  readonly leadLag: LeadLagProfile | null;
  readonly quality: DataQualitySummary;
  /** This symbol's block of the metrics JSON, as written. */
  readonly metrics: Readonly<Record<string, unknown>> | null;
  /** What the report could not show and why. */
  readonly notes: readonly string[];
}

/** The whole report. */
export interface ReportData {
  readonly version: number;
  readonly title: string;
  /** ISO-8601. */
  readonly generatedAt: string;
  readonly obiVersion: string;
  readonly source: { readonly csv: string | null; readonly json: string | null };
  /** The metrics JSON's `config`. */
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly symbols: readonly SymbolReportData[];
  readonly notes: readonly string[];
}
