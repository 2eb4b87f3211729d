/**
 * Online logistic regression, O(d) per prediction and per update: p = σ(b + w·z) on standardised inputs z,
 * fitted by stochastic gradient descent on the log-loss with an L2 penalty on w (not on b):
 *   g = p − y;  b ← b − η g;  w_i ← w_i − η (g z_i + λ w_i)
 * (Bottou 2010, "Large-scale machine learning with stochastic gradient descent", §2, plain SGD with a
 * constant rate, which keeps tracking a drifting relation instead of freezing).
 * Standardisation is causal: z_i = (x_i − mean_i) / std_i from running moments of every input vector passed
 * to `observe` so far (Welford), clipped to ±`clip` so one heavy-tailed OFI print cannot blow up a step.
 * Callers keep walk-forward order: `observe` and `predict` a row when it arrives, `learn` it only once its
 * label is known (later), so no prediction ever uses its own label.
 */
import { ConfigError } from '../../errors.js';
import { RunningMoments } from '../stats/running-moments.js';

/** Options of {@link OnlineLogit}. */
export interface OnlineLogitOptions {
  /** Number of inputs d. */
  readonly inputs: number;
  /**
   * SGD step η.
   * @default 0.01
   */
  readonly learningRate?: number;
  /**
   * L2 penalty λ on the weights.
   * @default 0.0001
   */
  readonly l2?: number;
  /**
   * Standardised inputs are clipped to ±clip.
   * @default 5
   */
  readonly clip?: number;
  /**
   * Labels learned before `predict` reports a probability (before that it returns NaN).
   * @default 50
   */
  readonly warmupLabels?: number;
}

export class OnlineLogit {
  readonly inputs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly clip: number;
  readonly warmupLabels: number;
  private readonly moments: RunningMoments[];
  private readonly w: Float64Array;
  private bias = 0;
  private learned = 0;
  private readonly z: Float64Array;

  constructor(options: OnlineLogitOptions) {
    const { inputs } = options;
    if (!Number.isSafeInteger(inputs) || inputs < 1) {
      throw new ConfigError(`logit inputs=${inputs}: must be a whole number >= 1`, 'inputs');
    }
    this.inputs = inputs;
    this.learningRate = options.learningRate ?? 0.01;
    this.l2 = options.l2 ?? 1e-4;
    this.clip = options.clip ?? 5;
    this.warmupLabels = options.warmupLabels ?? 50;
    if (!(this.learningRate > 0 && Number.isFinite(this.learningRate))) {
      throw new ConfigError(`--predict-lr ${this.learningRate}: must be > 0`, 'predict-lr');
    }
    if (!(this.l2 >= 0 && Number.isFinite(this.l2))) {
      throw new ConfigError(`--predict-l2 ${this.l2}: must be >= 0`, 'predict-l2');
    }
    if (!(this.clip > 0)) throw new ConfigError(`logit clip=${this.clip}: must be > 0`, 'clip');
    if (!Number.isSafeInteger(this.warmupLabels) || this.warmupLabels < 0) {
      throw new ConfigError(`logit warmupLabels=${this.warmupLabels}: must be a whole number >= 0`, 'warmup');
    }
    this.moments = Array.from({ length: inputs }, () => new RunningMoments());
    this.w = new Float64Array(inputs);
    this.z = new Float64Array(inputs);
  }

  /** Adds an input vector to the standardisation moments (skipped when any input is NaN). */
  observe(x: ArrayLike<number>): void {
    if (!this.complete(x)) return;
    for (let i = 0; i < this.inputs; i++) this.moments[i]!.update(x[i]!);
  }

  /** Returns P(y = 1 | x), or NaN when an input is NaN or fewer than `warmupLabels` labels were learned. */
  predict(x: ArrayLike<number>): number {
    if (this.learned < this.warmupLabels || !this.standardise(x)) return Number.NaN;
    return this.probability();
  }

  /** Takes one SGD step on (x, y), y 1 for an up move and 0 for a down move; skipped when an input is NaN. */
  learn(x: ArrayLike<number>, y: 0 | 1): void {
    if (!this.standardise(x)) return;
    const g = this.probability() - y;
    const eta = this.learningRate;
    this.bias -= eta * g;
    for (let i = 0; i < this.inputs; i++) {
      this.w[i] = this.w[i]! - eta * (g * this.z[i]! + this.l2 * this.w[i]!);
    }
    this.learned++;
  }

  /** Labels learned so far. */
  get updates(): number {
    return this.learned;
  }

  /** The weights on the standardised inputs, then the bias last. */
  get coefficients(): number[] {
    return [...this.w, this.bias];
  }

  reset(): void {
    for (const m of this.moments) m.reset();
    this.w.fill(0);
    this.bias = 0;
    this.learned = 0;
  }

  private complete(x: ArrayLike<number>): boolean {
    for (let i = 0; i < this.inputs; i++) if (!Number.isFinite(x[i])) return false;
    return true;
  }

  /** Fills `z`; false when an input is missing. */
  private standardise(x: ArrayLike<number>): boolean {
    if (!this.complete(x)) return false;
    for (let i = 0; i < this.inputs; i++) {
      const m = this.moments[i]!;
      const sd = m.std;
      let z = sd > 0 ? (x[i]! - m.mean) / sd : 0;
      if (z > this.clip) z = this.clip;
      else if (z < -this.clip) z = -this.clip;
      this.z[i] = z;
    }
    return true;
  }

  private probability(): number {
    let s = this.bias;
    for (let i = 0; i < this.inputs; i++) s += this.w[i]! * this.z[i]!;
    // Numerically stable logistic for both signs.
    if (s >= 0) return 1 / (1 + Math.exp(-s));
    const e = Math.exp(s);
    return e / (1 + e);
  }
}
