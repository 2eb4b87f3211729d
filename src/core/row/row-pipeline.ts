/**
 * One symbol's samples (and trades) → finished rows: features (FeatureEngine), the walk-forward predictor
 * (`p_up`) and the forward-return labels. Synchronous and pure, so a bot can drive it from its own loop.
 *
 * Walk-forward order per sample, so no prediction ever sees its own label:
 * 1. the row's features are computed and its predictor inputs enter the standardisation moments;
 * 2. the sample resolves labels of earlier rows; each newly known label at the predictor's horizon is learned
 *    (those labels use data up to this sample only);
 * 3. `p_up` of this row is predicted;
 * 4. rows whose labels are all known leave, oldest first.
 */
import type { BookSample } from '../book-sample.js';
import { ForwardReturnLabeler, horizonColumn } from '../labels/forward-returns.js';
import { OnlineLogit } from '../signal/online-logit.js';
import type { Trade } from '../../events.js';
import {
  horizonToleranceMs,
  predictHorizonMs,
  PREDICTOR_INPUTS,
  type FeatureOptions,
} from '../../options.js';
import { FeatureEngine } from './feature-engine.js';
import type { FeatureRow } from './feature-row.js';

export class RowPipeline {
  private readonly engine: FeatureEngine;
  private readonly labeler: ForwardReturnLabeler<FeatureRow>;
  private readonly logit: OnlineLogit | null;
  private readonly predictIndex: number;
  private readonly labelColumns: string[];
  private readonly weighted: boolean;
  private readonly x = new Float64Array(PREDICTOR_INPUTS.length);

  constructor(options: FeatureOptions) {
    this.engine = new FeatureEngine(options);
    this.labelColumns = options.horizonsMs.map(horizonColumn);
    this.weighted = options.labelPrice === 'weighted_mid';
    const predictMs = predictHorizonMs(options);
    this.predictIndex = predictMs === null ? -1 : options.horizonsMs.indexOf(predictMs);
    this.logit =
      this.predictIndex >= 0
        ? new OnlineLogit({
            inputs: PREDICTOR_INPUTS.length,
            learningRate: options.predictLearningRate,
            l2: options.predictL2,
          })
        : null;
    this.labeler = new ForwardReturnLabeler<FeatureRow>(
      {
        horizonsMs: options.horizonsMs,
        toleranceMs: horizonToleranceMs(options),
        maxHeldRows: options.maxHeldRows,
      },
      {
        horizon: (row, j, value) => {
          row[this.labelColumns[j]!] = value;
          if (j === this.predictIndex && value !== 0 && !Number.isNaN(value)) {
            this.logit!.learn(this.inputs(row), value > 0 ? 1 : 0);
          }
        },
        next: (row, value) => {
          row.mid_ret_fwd = value;
        },
      },
    );
  }

  /** Feeds one trade of this symbol (used only when trades are enabled). */
  trade(t: Trade): void {
    this.engine.trade(t);
  }

  /**
   * Feeds the next sample. Returns its row at once (features, `gate`, `p_up` final; labels still NaN and
   * filled in before the row is released) and appends to `done` the rows whose labels are all known.
   */
  push(sample: BookSample, done: FeatureRow[]): FeatureRow {
    const row = this.engine.next(sample);
    const x = this.inputs(row);
    this.logit?.observe(x);
    const price = this.weighted ? (row['weighted_mid'] as number) : row.mid;
    this.labeler.push(row, sample.timeMs, price, row.mid, done);
    if (this.logit !== null) row['p_up'] = this.logit.predict(this.inputs(row));
    return row;
  }

  /** Ends the input: appends every held row to `done`, unknown labels missing. */
  flush(done: FeatureRow[]): void {
    this.labeler.flush(done);
  }

  /** Rows held back waiting for labels. */
  get held(): number {
    return this.labeler.size;
  }

  /** The predictor's coefficients on standardised inputs (PREDICTOR_INPUTS order, bias last), or null. */
  get predictorCoefficients(): number[] | null {
    return this.logit?.coefficients ?? null;
  }

  private inputs(row: FeatureRow): Float64Array {
    for (let i = 0; i < PREDICTOR_INPUTS.length; i++) {
      const v = row[PREDICTOR_INPUTS[i]!];
      this.x[i] = typeof v === 'number' ? v : Number.NaN;
    }
    return this.x;
  }
}
