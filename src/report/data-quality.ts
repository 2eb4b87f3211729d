/**
 * How trustworthy a symbol's rows are: rows by status, crossed books, resync episodes (a synced stream that
 * lost sync), runs of missing rows, holes in the timeline (consecutive rows further apart than 2.5 sampling
 * intervals), and request latency. Bounded memory: counters, the largest gaps only, and latency quantiles that
 * fall back to a sketch after 65 536 values.
 */
import { RunQuantiles, type QuantileSummary } from '../core/stats/run-quantiles.js';

/** One hole in the timeline. */
export interface TimeGap {
  /** Time of the row before the hole (ms). */
  readonly fromMs: number;
  /** Time of the row after it (ms). */
  readonly toMs: number;
}

/** What the report shows about data quality. */
export interface DataQualitySummary {
  readonly rows: number;
  /** Rows per status (`ok`, `missing`, `unsynced`, `invalid`, …). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly crossedRows: number;
  /** Times a symbol that had been synced became unsynced. */
  readonly resyncs: number;
  /** Runs of consecutive missing rows. */
  readonly missingRuns: number;
  readonly longestMissingRun: number;
  /** The sampling interval gaps were judged against (ms), null when unknown. */
  readonly intervalMs: number | null;
  /** Holes longer than GAP_FACTOR × interval. */
  readonly gaps: number;
  /** Total time inside those holes beyond one interval each (ms). */
  readonly gapTimeMs: number;
  /** The largest holes, largest first. */
  readonly largestGaps: readonly TimeGap[];
  readonly latencyMs: QuantileSummary | null;
  readonly latencyMeanMs: number | null;
  /** Up to a few distinct reasons of non-ok rows with their counts, most frequent first. */
  readonly reasons: readonly { readonly reason: string; readonly rows: number }[];
}

/** A hole is consecutive rows further apart than this many sampling intervals. */
export const GAP_FACTOR = 2.5;
const LARGEST_GAPS = 8;
const MAX_REASONS = 6;
/** Distinct reasons tracked; a run with endless distinct texts stays bounded. */
const MAX_TRACKED_REASONS = 256;
/** Row spacings used to estimate the interval when the caller does not know it. */
const INTERVAL_SAMPLE = 64;
const LATENCY_EXACT = 65_536;

export class DataQuality {
  private rows = 0;
  private readonly statuses = new Map<string, number>();
  private readonly reasons = new Map<string, number>();
  private crossed = 0;
  private resyncs = 0;
  private wasSynced = false;
  private previousStatus = '';
  private missingRuns = 0;
  private missingRun = 0;
  private longestMissingRun = 0;
  private lastTimeMs = Number.NaN;
  private intervalMs: number;
  private readonly spacingSample: TimeGap[] = [];
  private gaps = 0;
  private gapTimeMs = 0;
  private readonly largest: TimeGap[] = [];
  private readonly latency = new RunQuantiles({ exactCapacity: LATENCY_EXACT });

  /** `intervalMs`: the sampling interval when known (poll cadence), else estimated from the first rows. */
  constructor(intervalMs: number | null = null) {
    this.intervalMs = intervalMs !== null && intervalMs > 0 ? intervalMs : Number.NaN;
  }

  /** Adds one row. `latencyMs` NaN when the row has none. */
  add(timeMs: number, status: string, reason: string, crossed: boolean, latencyMs: number): void {
    this.rows++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status !== 'ok' && reason !== '') {
      const known = this.reasons.get(reason);
      if (known !== undefined) this.reasons.set(reason, known + 1);
      else if (this.reasons.size < MAX_TRACKED_REASONS) this.reasons.set(reason, 1);
    }
    if (crossed) this.crossed++;
    if (status === 'ok') this.wasSynced = true;
    if (status === 'unsynced' && this.previousStatus !== 'unsynced' && this.wasSynced) this.resyncs++;
    if (status === 'missing') {
      if (this.missingRun === 0) this.missingRuns++;
      this.missingRun++;
      if (this.missingRun > this.longestMissingRun) this.longestMissingRun = this.missingRun;
    } else {
      this.missingRun = 0;
    }
    this.previousStatus = status;
    if (!Number.isNaN(latencyMs)) this.latency.update(latencyMs);
    if (Number.isFinite(timeMs)) {
      if (!Number.isNaN(this.lastTimeMs)) this.spacing({ fromMs: this.lastTimeMs, toMs: timeMs });
      this.lastTimeMs = timeMs;
    }
  }

  /** Returns the summary. */
  result(): DataQualitySummary {
    if (Number.isNaN(this.intervalMs) && this.spacingSample.length > 0) this.settleInterval();
    const reasons = [...this.reasons.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_REASONS)
      .map(([reason, rows]) => ({ reason, rows }));
    const latencyCount = this.latency.count;
    return {
      rows: this.rows,
      statuses: Object.fromEntries(this.statuses),
      crossedRows: this.crossed,
      resyncs: this.resyncs,
      missingRuns: this.missingRuns,
      longestMissingRun: this.longestMissingRun,
      intervalMs: Number.isNaN(this.intervalMs) ? null : this.intervalMs,
      gaps: this.gaps,
      gapTimeMs: this.gapTimeMs,
      largestGaps: [...this.largest],
      latencyMs: latencyCount > 0 ? this.latency.summary() : null,
      latencyMeanMs: latencyCount > 0 ? this.latency.mean : null,
      reasons,
    };
  }

  private spacing(gap: TimeGap): void {
    if (Number.isNaN(this.intervalMs)) {
      this.spacingSample.push(gap);
      if (this.spacingSample.length >= INTERVAL_SAMPLE) this.settleInterval();
      return;
    }
    this.judge(gap);
  }

  /** Takes the median spacing of the first rows as the interval, then judges those spacings too. */
  private settleInterval(): void {
    const spacings = this.spacingSample
      .map((g) => g.toMs - g.fromMs)
      .filter((d) => d > 0)
      .sort((a, b) => a - b);
    const median = spacings[Math.floor(spacings.length / 2)];
    if (median === undefined) return;
    this.intervalMs = median;
    for (const g of this.spacingSample.splice(0)) this.judge(g);
  }

  private judge(gap: TimeGap): void {
    const length = gap.toMs - gap.fromMs;
    if (!(length > GAP_FACTOR * this.intervalMs)) return;
    this.gaps++;
    this.gapTimeMs += length - this.intervalMs;
    const largest = this.largest;
    if (
      largest.length < LARGEST_GAPS ||
      length > largest[largest.length - 1]!.toMs - largest[largest.length - 1]!.fromMs
    ) {
      largest.push(gap);
      largest.sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs));
      if (largest.length > LARGEST_GAPS) largest.pop();
    }
  }
}
