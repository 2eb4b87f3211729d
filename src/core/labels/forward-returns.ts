/**
 * Forward log returns at time horizons, gap-aware, streaming. A label uses data after t only, so a row is
 * held back until every one of its labels is known, then released (first in, first out).
 *
 * Definition (docs/metrics.md, "Forward returns"). For a row at time t with price p_t and a horizon h, with
 * tolerance tol = min(toleranceMs, h / 2):
 * - the target is the FIRST later sample of the same symbol whose time is >= t + h - tol;
 * - ret_fwd_h = ln(p_target) - ln(p_t);
 * - it is NaN (missing) when the row itself has no price, when any sample after the row up to and including
 *   the target has no price (missing, unsynced, invalid: a gap is never bridged), when the target is later
 *   than t + h + tol (the future around t + h was not observed), when the sample times go backwards, or when
 *   the input ends first.
 * With samples on a fixed grid of step Δ and tol = Δ / 2 the target is the sample at t + h exactly; with
 * jittered poll times it is the sample nearest t + h as long as the jitter stays under Δ / 4.
 *
 * The seed's `mid_ret_fwd` (next sample, whatever its status: pandas `log(mid.shift(-1)) - log(mid)`) is
 * resolved here too, so a row leaves once, when both are known.
 */
import { ConfigError } from '../../errors.js';

/** Options of {@link ForwardReturnLabeler}. */
export interface ForwardReturnOptions {
  /** Horizons in milliseconds (whole, > 0, distinct). May be empty: then only the next-sample label is made. */
  readonly horizonsMs: readonly number[];
  /** Largest distance from t + h at which the target may lie; capped at h / 2 per horizon. */
  readonly toleranceMs: number;
  /**
   * Most rows held per symbol. Past it the oldest row is released with its unknown labels missing, so memory
   * stays bounded whatever the sample rate (rows × horizon).
   * @default 1_000_000
   */
  readonly maxHeldRows?: number;
}

/** Writes labels into a row as they become known. */
export interface LabelWriter<R> {
  /** Horizon label `index` (position in `horizonsMs`) of `row`. Called exactly once per row and horizon. */
  horizon(row: R, index: number, value: number): void;
  /** The next-sample label (`mid_ret_fwd`). Called exactly once per row. */
  next(row: R, value: number): void;
}

const DEFAULT_MAX_HELD_ROWS = 1_000_000;

interface Held<R> {
  readonly row: R;
  readonly seq: number;
  readonly timeMs: number;
  /** ln(price), NaN when the sample has no price. */
  readonly logPrice: number;
  readonly mid: number;
  /** Labels still unknown: one per horizon plus the next-sample label. */
  pending: number;
  nextPending: boolean;
}

/** Returns the column-name suffix of a horizon: `1s`, `60s`, `500ms`. */
export function horizonName(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Returns the label column of a horizon, e.g. `ret_fwd_5s`. */
export function horizonColumn(ms: number): string {
  return `ret_fwd_${horizonName(ms)}`;
}

/** Holds one symbol's rows until their forward returns are known. O(horizons) per row, amortised. */
export class ForwardReturnLabeler<R> {
  readonly horizonsMs: readonly number[];
  readonly maxHeldRows: number;
  private readonly tolerances: Float64Array;
  private readonly held: Held<R>[] = [];
  /** Index in `held` of its first live entry (entries before it were released). */
  private start = 0;
  /** Per horizon: index in `held` of the oldest row whose label is still unknown. */
  private readonly cursor: Int32Array;
  private seq = 0;
  private lastInvalidSeq = -1;
  private lastTimeMs = Number.NEGATIVE_INFINITY;

  constructor(
    options: ForwardReturnOptions,
    private readonly writer: LabelWriter<R>,
  ) {
    const { horizonsMs, toleranceMs } = options;
    const seen = new Set<number>();
    for (const h of horizonsMs) {
      if (!Number.isSafeInteger(h) || h < 1) {
        throw new ConfigError(`horizon ${h} ms: must be a whole number of milliseconds >= 1`, 'horizons');
      }
      if (seen.has(h)) throw new ConfigError(`horizon ${horizonName(h)} is listed twice`, 'horizons');
      seen.add(h);
    }
    if (!(toleranceMs >= 0) || !Number.isFinite(toleranceMs)) {
      throw new ConfigError(`horizon tolerance ${toleranceMs} ms: must be >= 0`, 'horizon-tolerance');
    }
    const maxHeld = options.maxHeldRows ?? DEFAULT_MAX_HELD_ROWS;
    if (!Number.isSafeInteger(maxHeld) || maxHeld < 2) {
      throw new ConfigError(`maxHeldRows=${maxHeld}: must be a whole number >= 2`, 'maxHeldRows');
    }
    this.horizonsMs = [...horizonsMs];
    this.maxHeldRows = maxHeld;
    this.tolerances = Float64Array.from(horizonsMs, (h) => Math.min(toleranceMs, h / 2));
    this.cursor = new Int32Array(horizonsMs.length);
  }

  /** Rows held now. */
  get size(): number {
    return this.held.length - this.start;
  }

  /**
   * Feeds the next row of the symbol. `price` is the label price (mid or weighted mid; NaN when the sample has
   * none), `mid` the price of the next-sample label. Appends the rows whose labels are now all known to `out`,
   * oldest first.
   */
  push(row: R, timeMs: number, price: number, mid: number, out: R[]): void {
    const seq = this.seq++;
    const valid = price > 0 && Number.isFinite(price);
    const logPrice = valid ? Math.log(price) : Number.NaN;
    if (!valid) this.lastInvalidSeq = seq;
    if (!(timeMs >= this.lastTimeMs)) {
      // Time went backwards (or is NaN): no horizon can be measured across it.
      for (let j = 0; j < this.horizonsMs.length; j++) this.resolveAllNaN(j);
    }
    // After a jump back the clock restarts from the new time.
    if (!Number.isNaN(timeMs)) this.lastTimeMs = timeMs;

    const end = this.held.length;
    if (end > this.start) {
      const previous = this.held[end - 1]!;
      if (previous.nextPending) this.resolveNext(previous, Math.log(mid) - Math.log(previous.mid));
    }
    for (let j = 0; j < this.horizonsMs.length; j++) {
      const h = this.horizonsMs[j]!;
      const tol = this.tolerances[j]!;
      let i = this.cursor[j]!;
      while (i < end) {
        const e = this.held[i]!;
        if (timeMs < e.timeMs + h - tol) break;
        const bridged = this.lastInvalidSeq > e.seq;
        const late = timeMs > e.timeMs + h + tol;
        const value = bridged || late || Number.isNaN(e.logPrice) ? Number.NaN : logPrice - e.logPrice;
        this.resolve(e, j, value);
        i++;
      }
      this.cursor[j] = i;
    }

    this.held.push({
      row,
      seq,
      timeMs,
      logPrice,
      mid,
      pending: this.horizonsMs.length + 1,
      nextPending: true,
    });
    while (this.size > this.maxHeldRows) {
      this.forceOldest();
      this.release(out);
    }
    this.release(out);
  }

  /** Ends the input: every label still unknown is missing. Appends all held rows to `out`, oldest first. */
  flush(out: R[]): void {
    for (let j = 0; j < this.horizonsMs.length; j++) this.resolveAllNaN(j);
    const end = this.held.length;
    if (end > this.start) {
      const last = this.held[end - 1]!;
      if (last.nextPending) this.resolveNext(last, Number.NaN);
    }
    this.release(out);
  }

  private resolve(e: Held<R>, j: number, value: number): void {
    this.writer.horizon(e.row, j, value);
    e.pending--;
  }

  private resolveNext(e: Held<R>, value: number): void {
    this.writer.next(e.row, value);
    e.nextPending = false;
    e.pending--;
  }

  private resolveAllNaN(j: number): void {
    const end = this.held.length;
    for (let i = this.cursor[j]!; i < end; i++) this.resolve(this.held[i]!, j, Number.NaN);
    this.cursor[j] = end;
  }

  /** Gives up on the oldest row's unknown labels (only when more than `maxHeldRows` are held). */
  private forceOldest(): void {
    const e = this.held[this.start]!;
    for (let j = 0; j < this.horizonsMs.length; j++) {
      if (this.cursor[j] === this.start) {
        this.resolve(e, j, Number.NaN);
        this.cursor[j] = this.start + 1;
      }
    }
    if (e.nextPending) this.resolveNext(e, Number.NaN);
  }

  private release(out: R[]): void {
    const end = this.held.length;
    while (this.start < end && this.held[this.start]!.pending === 0) {
      out.push(this.held[this.start]!.row);
      this.start++;
    }
    // Compact once the released prefix dominates, so the array stays O(held) and the work amortised O(1).
    if (this.start > 1024 && this.start * 2 > end) {
      this.held.splice(0, this.start);
      for (let j = 0; j < this.cursor.length; j++) this.cursor[j] = this.cursor[j]! - this.start;
      this.start = 0;
    } else if (this.start === end && end > 0) {
      this.held.length = 0;
      this.cursor.fill(0);
      this.start = 0;
    }
  }
}
