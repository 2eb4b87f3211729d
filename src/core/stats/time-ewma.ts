import { ConfigError } from '../../errors.js';
import { OutOfOrderTimeError } from './out-of-order-time-error.js';
import type { TimedStatistic } from './timed-statistic.js';

/** Options of {@link TimeEwma}. */
export interface TimeEwmaOptions {
  /** Time after which an observation's weight has halved, in seconds; must be > 0. */
  readonly halfLifeSec: number;
  /**
   * Observations (non-NaN) needed before `value` is reported.
   * @default 1
   */
  readonly minPeriods?: number;
}

/**
 * Time-aware EWMA for irregularly spaced samples: the newest observation gets weight
 * alpha_t = 1 - exp(-ln2 * dt / halfLife), dt the seconds since the previous observation
 * (Eckner 2019, "Algorithms for Unevenly Spaced Time Series: Moving Averages and Other Rolling Operators",
 * EMA with the "next" scheme). A gap of one half-life gives the new value weight 1/2 whatever the cadence,
 * and two observations at the same instant leave the average unchanged by the second.
 * NaN observations are skipped: the next observation decays over the whole gap.
 */
export class TimeEwma implements TimedStatistic {
  readonly halfLifeSec: number;
  readonly minPeriods: number;
  /** -ln2 / halfLife, per millisecond. */
  private readonly decayPerMs: number;
  private average = Number.NaN;
  private lastTimeMs = Number.NaN;
  private observations = 0;

  constructor(options: TimeEwmaOptions) {
    const { halfLifeSec } = options;
    if (!(halfLifeSec > 0) || !Number.isFinite(halfLifeSec)) {
      throw new ConfigError(
        `time ewma halfLifeSec=${halfLifeSec}: must be a finite number > 0`,
        'halfLifeSec',
      );
    }
    const minPeriods = options.minPeriods ?? 1;
    if (!Number.isInteger(minPeriods) || minPeriods < 0) {
      throw new ConfigError(`time ewma minPeriods=${minPeriods}: must be an integer >= 0`, 'minPeriods');
    }
    this.halfLifeSec = halfLifeSec;
    this.minPeriods = Math.max(minPeriods, 1);
    this.decayPerMs = -Math.LN2 / (halfLifeSec * 1000);
  }

  /**
   * Feeds one observation taken at `timeMs` and returns the new `value`.
   * Throws OutOfOrderTimeError when `timeMs` is earlier than the previous observation's.
   */
  update(x: number, timeMs: number): number {
    if (Number.isNaN(x)) return this.value;
    if (this.observations === 0) {
      if (Number.isNaN(timeMs)) throw new OutOfOrderTimeError(timeMs, this.lastTimeMs);
      this.average = x;
    } else {
      const dtMs = timeMs - this.lastTimeMs;
      if (!(dtMs >= 0)) throw new OutOfOrderTimeError(timeMs, this.lastTimeMs);
      // -expm1(-k) = 1 - exp(-k) without cancellation when dt is much shorter than the half-life.
      const alpha = -Math.expm1(this.decayPerMs * dtMs);
      // A repeated value stays exact instead of picking up rounding noise.
      if (this.average !== x) this.average += alpha * (x - this.average);
    }
    this.lastTimeMs = timeMs;
    this.observations++;
    return this.value;
  }

  /** Returns the average, or NaN before `minPeriods` observations. */
  get value(): number {
    return this.observations >= this.minPeriods ? this.average : Number.NaN;
  }

  get count(): number {
    return this.observations;
  }

  get ready(): boolean {
    return this.observations >= this.minPeriods;
  }

  /** Time of the latest observation (NaN before the first). */
  get timeMs(): number {
    return this.lastTimeMs;
  }

  reset(): void {
    this.average = Number.NaN;
    this.lastTimeMs = Number.NaN;
    this.observations = 0;
  }
}
