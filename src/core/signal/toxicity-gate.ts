/**
 * The toxicity gate: a three-state filter a trading bot can consult before acting. Large, persistent
 * ask-side imbalance is bearish, bid-side bullish (SEED.md: "large, persistent ask>bid → bearish, and
 * vice-versa"). Causal: the state at t uses rows up to t only.
 *
 * Rules, for the signed input x (default `obi_ema`):
 * - thresholds: fixed (`entry` > `exit` >= 0), or causal rolling quantiles of |x| over the previous `window`
 *   valid rows (the current row enters the window after it is judged, like the causal `obi_extreme_flag`);
 * - neutral → bullish once x >= entry has held for `persistSamples` consecutive valid rows AND for at least
 *   `persistSec` seconds; neutral → bearish likewise with x <= -entry;
 * - bullish → neutral as soon as x < exit, bearish → neutral as soon as x > -exit (hysteresis: exit < entry,
 *   so a signal hovering at one threshold does not flap); a flip goes through neutral;
 * - a row without a trustworthy book (status other than `ok`, or x NaN) forces neutral and restarts
 *   persistence: the gate never carries a view across missing data;
 * - optional VPIN filter: a directional state may only be entered while vpin >= `vpinMin`.
 */
import { ConfigError } from '../../errors.js';
import { RollingQuantile } from '../stats/rolling-quantile.js';

/** -1 bearish, 0 neutral, 1 bullish: the `gate` column. */
export type GateState = -1 | 0 | 1;

/** Which row column the gate reads. All are signed: positive = bid-side pressure / buying. */
export type GateInput = 'obi_ema' | 'obi_z' | 'obi' | 'obi_pw_ema' | 'tfi';

export const GATE_INPUTS: readonly GateInput[] = ['obi_ema', 'obi_z', 'obi', 'obi_pw_ema', 'tfi'];

/** Options of {@link ToxicityGate}. */
export interface ToxicityGateOptions {
  /**
   * The row column used as x by `update(row)`.
   * @default 'obi_ema'
   */
  readonly input?: GateInput;
  /**
   * Fixed entry threshold on |x|; when set, `exit` must be set too and the quantile options are unused.
   * @default null (rolling quantile thresholds)
   */
  readonly entry?: number | null;
  /**
   * Fixed exit threshold on |x|, 0 <= exit < entry.
   * @default null
   */
  readonly exit?: number | null;
  /**
   * Quantile of |x| over the trailing window used as entry threshold.
   * @default 0.9
   */
  readonly entryQuantile?: number;
  /**
   * Quantile of |x| over the trailing window used as exit threshold (< entryQuantile).
   * @default 0.6
   */
  readonly exitQuantile?: number;
  /**
   * Trailing window in rows for the quantile thresholds; they exist once a third of it holds valid rows.
   * @default 300
   */
  readonly window?: number;
  /**
   * Consecutive valid rows beyond the entry threshold needed to enter a directional state (>= 1).
   * @default 3
   */
  readonly persistSamples?: number;
  /**
   * Seconds the entry condition must have held (from its first row to the current one) to enter.
   * @default 0
   */
  readonly persistSec?: number;
  /**
   * When set, entering a directional state also needs vpin >= this (VPIN as a second toxicity input).
   * @default null
   */
  readonly vpinMin?: number | null;
}

/** What {@link ToxicityGate.update} reads from a row: `time_ms`, `status`, the input column, `vpin`. */
export type GateRow = Readonly<Record<string, number | string | boolean | null>>;

const DEFAULTS = {
  input: 'obi_ema' as GateInput,
  entryQuantile: 0.9,
  exitQuantile: 0.6,
  window: 300,
  persistSamples: 3,
  persistSec: 0,
};

export class ToxicityGate {
  readonly input: GateInput;
  readonly persistSamples: number;
  readonly persistMs: number;
  readonly vpinMin: number | null;
  private readonly fixed: { readonly entry: number; readonly exit: number } | null;
  private readonly absX: RollingQuantile | null;
  private readonly entryQuantile: number;
  private readonly exitQuantile: number;
  private current: GateState = 0;
  private age = -1;
  private enteredAtMs = Number.NaN;
  private candidate: GateState = 0;
  private candidateRows = 0;
  private candidateSinceMs = Number.NaN;
  private lastEntry = Number.NaN;
  private lastExit = Number.NaN;

  constructor(options: ToxicityGateOptions = {}) {
    this.input = options.input ?? DEFAULTS.input;
    if (!GATE_INPUTS.includes(this.input)) {
      throw new ConfigError(
        `gate input "${String(this.input)}": expected ${GATE_INPUTS.join(', ')}`,
        'gate-input',
      );
    }
    const entry = options.entry ?? null;
    const exit = options.exit ?? null;
    if ((entry === null) !== (exit === null)) {
      throw new ConfigError(
        '--gate-entry and --gate-exit must be given together (fixed thresholds)',
        'gate-entry',
      );
    }
    if (entry !== null && exit !== null) {
      if (!(exit >= 0 && entry > exit && Number.isFinite(entry))) {
        throw new ConfigError(
          `gate thresholds entry=${entry} exit=${exit}: need entry > exit >= 0`,
          'gate-entry',
        );
      }
      this.fixed = { entry, exit };
      this.absX = null;
    } else {
      this.fixed = null;
      const window = options.window ?? DEFAULTS.window;
      if (!Number.isSafeInteger(window) || window < 3) {
        throw new ConfigError(`--gate-window ${window}: must be a whole number of rows >= 3`, 'gate-window');
      }
      this.absX = new RollingQuantile({ window, minPeriods: Math.floor(window / 3), q: 0.5 });
    }
    this.entryQuantile = options.entryQuantile ?? DEFAULTS.entryQuantile;
    this.exitQuantile = options.exitQuantile ?? DEFAULTS.exitQuantile;
    if (!(this.entryQuantile > 0 && this.entryQuantile < 1 && this.exitQuantile >= 0)) {
      throw new ConfigError(
        `gate quantiles entry=${this.entryQuantile} exit=${this.exitQuantile}: need 0 <= exit < entry < 1`,
        'gate-entry-quantile',
      );
    }
    if (!(this.exitQuantile < this.entryQuantile)) {
      throw new ConfigError(
        `gate quantiles entry=${this.entryQuantile} exit=${this.exitQuantile}: need exit < entry`,
        'gate-exit-quantile',
      );
    }
    this.persistSamples = options.persistSamples ?? DEFAULTS.persistSamples;
    if (!Number.isSafeInteger(this.persistSamples) || this.persistSamples < 1) {
      throw new ConfigError(
        `--gate-persist ${this.persistSamples}: must be a whole number >= 1`,
        'gate-persist',
      );
    }
    const persistSec = options.persistSec ?? DEFAULTS.persistSec;
    if (!(persistSec >= 0) || !Number.isFinite(persistSec)) {
      throw new ConfigError(`--gate-persist-sec ${persistSec}: must be >= 0`, 'gate-persist-sec');
    }
    this.persistMs = persistSec * 1000;
    this.vpinMin = options.vpinMin ?? null;
  }

  /** Feeds one feature row (reads `time_ms`, `status`, the input column and `vpin`); returns the new state. */
  update(row: GateRow): GateState {
    const x = row[this.input];
    const time = row['time_ms'];
    const status = row['status'];
    const vpin = row['vpin'];
    const ok = status === undefined || status === 'ok';
    return this.updateValue(
      ok && typeof x === 'number' ? x : Number.NaN,
      typeof time === 'number' ? time : Number.NaN,
      typeof vpin === 'number' ? vpin : Number.NaN,
    );
  }

  /** Feeds x (NaN = no trustworthy data) at `timeMs`, with the current VPIN (NaN if none); returns the new state. */
  updateValue(x: number, timeMs: number, vpin = Number.NaN): GateState {
    const [entry, exit] = this.thresholds();
    this.lastEntry = entry;
    this.lastExit = exit;
    let next: GateState = this.current;
    if (Number.isNaN(x)) {
      next = 0;
      this.candidate = 0;
      this.candidateRows = 0;
    } else {
      if (this.current === 1 && !(x >= exit)) next = 0;
      else if (this.current === -1 && !(x <= -exit)) next = 0;
      if (next === 0) {
        const side: GateState = x >= entry ? 1 : x <= -entry ? -1 : 0;
        if (side !== 0 && side === this.candidate) {
          this.candidateRows++;
        } else {
          this.candidate = side;
          this.candidateRows = side === 0 ? 0 : 1;
          this.candidateSinceMs = timeMs;
        }
        const vpinOk = this.vpinMin === null || vpin >= this.vpinMin;
        // Only from neutral: a row that leaves one side cannot also enter the other (a flip goes through
        // neutral, even when persistSamples is 1).
        if (
          this.current === 0 &&
          side !== 0 &&
          vpinOk &&
          this.candidateRows >= this.persistSamples &&
          timeMs - this.candidateSinceMs >= this.persistMs
        ) {
          next = side;
        }
      } else {
        this.candidate = 0;
        this.candidateRows = 0;
      }
      this.absX?.update(Math.abs(x));
    }
    if (next !== this.current) {
      this.current = next;
      this.age = 0;
      this.enteredAtMs = timeMs;
      // Persistence restarts after any change of state.
      this.candidate = 0;
      this.candidateRows = 0;
    } else if (this.age < 0) {
      this.age = 0;
      this.enteredAtMs = timeMs;
    } else {
      this.age++;
    }
    return this.current;
  }

  /** The current state (-1 bearish, 0 neutral, 1 bullish). */
  get state(): GateState {
    return this.current;
  }

  /** Rows since the current state was entered: 0 on the row that entered it (the `gate_age` column). */
  get ageRows(): number {
    return Math.max(this.age, 0);
  }

  /** Milliseconds since the current state was entered (NaN before the first row). */
  ageMs(timeMs: number): number {
    return timeMs - this.enteredAtMs;
  }

  /** The entry threshold used on the latest row (NaN while rolling thresholds warm up). */
  get entryThreshold(): number {
    return this.lastEntry;
  }

  /** The exit threshold used on the latest row (NaN while rolling thresholds warm up). */
  get exitThreshold(): number {
    return this.lastExit;
  }

  reset(): void {
    this.absX?.reset();
    this.current = 0;
    this.age = -1;
    this.enteredAtMs = Number.NaN;
    this.candidate = 0;
    this.candidateRows = 0;
    this.candidateSinceMs = Number.NaN;
    this.lastEntry = Number.NaN;
    this.lastExit = Number.NaN;
  }

  private thresholds(): [entry: number, exit: number] {
    if (this.fixed !== null) return [this.fixed.entry, this.fixed.exit];
    const q = this.absX!;
    if (!q.ready) return [Number.NaN, Number.NaN];
    return [q.quantile(this.entryQuantile), q.quantile(this.exitQuantile)];
  }
}
