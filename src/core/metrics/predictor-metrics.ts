/**
 * Walk-forward evaluation of the `p_up` column against the realised sign of the forward return at the
 * predictor's horizon. Each p_up was made before its own label was learned (row-pipeline keeps that order),
 * so these are out-of-sample scores. Rows with a zero move are excluded (the model predicts the direction of
 * a move); their count is reported.
 *
 * - accuracy: share of rows with (p_up >= 1/2) = (return > 0); beside it the accuracy of always answering the
 *   run's majority direction;
 * - AUC from a fixed 1000-bin histogram of p_up per class: pairs in different bins are ranked exactly, pairs
 *   within one bin count 1/2 (the Mann–Whitney statistic with ties; error at most the share of same-bin
 *   pairs); O(1) per row, 16 kB per symbol;
 * - log-loss (p clipped to [1e-15, 1 − 1e-15]) against the base-rate model: the constant p = the run's share
 *   of up moves. That constant knows the whole run's outcome, so it is a strict baseline for a causal model;
 *   `log_loss_skill` = 1 − log_loss / log_loss_base_rate (> 0: better than the base rate).
 * - Brier score, likewise against the base rate.
 */

const AUC_BINS = 1000;
const P_CLIP = 1e-15;

export interface PredictorResult {
  readonly horizon: string;
  readonly column: string;
  /** Rows with a p_up. */
  readonly predictions: number;
  /** Rows with a p_up and a non-zero labelled move. */
  readonly evaluated: number;
  readonly zero_moves_excluded: number;
  readonly up_rate: number;
  readonly accuracy: number;
  readonly accuracy_base_rate: number;
  readonly auc: number;
  readonly log_loss: number;
  readonly log_loss_base_rate: number;
  readonly log_loss_skill: number;
  readonly brier: number;
  readonly brier_base_rate: number;
}

export class PredictorMetrics {
  private predictions = 0;
  private evaluated = 0;
  private zeroMoves = 0;
  private ups = 0;
  private correct = 0;
  private logLoss = 0;
  private brier = 0;
  private readonly positives = new Float64Array(AUC_BINS);
  private readonly negatives = new Float64Array(AUC_BINS);

  constructor(
    readonly horizon: string,
    readonly column: string,
  ) {}

  /** Feeds one finished row's p_up and its forward return at the predictor's horizon. */
  update(pUp: number, ret: number): void {
    if (Number.isNaN(pUp)) return;
    this.predictions++;
    if (Number.isNaN(ret)) return;
    if (ret === 0) {
      this.zeroMoves++;
      return;
    }
    const y = ret > 0 ? 1 : 0;
    this.evaluated++;
    this.ups += y;
    if ((pUp >= 0.5 ? 1 : 0) === y) this.correct++;
    const p = Math.min(Math.max(pUp, P_CLIP), 1 - P_CLIP);
    this.logLoss -= y === 1 ? Math.log(p) : Math.log(1 - p);
    this.brier += (pUp - y) * (pUp - y);
    const bin = Math.min(AUC_BINS - 1, Math.max(0, Math.floor(pUp * AUC_BINS)));
    if (y === 1) this.positives[bin] = this.positives[bin]! + 1;
    else this.negatives[bin] = this.negatives[bin]! + 1;
  }

  /** Returns the scores so far. */
  result(): PredictorResult {
    const n = this.evaluated;
    const q = n > 0 ? this.ups / n : Number.NaN;
    const entropy = q > 0 && q < 1 ? -(q * Math.log(q) + (1 - q) * Math.log(1 - q)) : Number.NaN;
    const logLoss = n > 0 ? this.logLoss / n : Number.NaN;
    return {
      horizon: this.horizon,
      column: this.column,
      predictions: this.predictions,
      evaluated: n,
      zero_moves_excluded: this.zeroMoves,
      up_rate: q,
      accuracy: n > 0 ? this.correct / n : Number.NaN,
      accuracy_base_rate: n > 0 ? Math.max(q, 1 - q) : Number.NaN,
      auc: this.auc(),
      log_loss: logLoss,
      log_loss_base_rate: entropy,
      log_loss_skill: 1 - logLoss / entropy,
      brier: n > 0 ? this.brier / n : Number.NaN,
      brier_base_rate: n > 0 ? q * (1 - q) : Number.NaN,
    };
  }

  private auc(): number {
    const P = this.ups;
    const N = this.evaluated - this.ups;
    if (P === 0 || N === 0) return Number.NaN;
    let negativesBelow = 0;
    let wins = 0;
    for (let b = 0; b < AUC_BINS; b++) {
      const pos = this.positives[b]!;
      const neg = this.negatives[b]!;
      wins += pos * negativesBelow + 0.5 * pos * neg;
      negativesBelow += neg;
    }
    return wins / (P * N);
  }
}
