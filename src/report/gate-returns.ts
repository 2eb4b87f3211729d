/**
 * Forward returns conditional on the gate's state: per state its share of rows and, per horizon, the mean
 * return with its t-statistic and the shares of up and down moves, next to the same numbers over all gated
 * rows (the base rate a bearish gate's down-move share should beat).
 */
import { GATE_STATES, type GateState } from './gate-state.js';
import { ReturnMoments, type ReturnSummary } from './return-moments.js';

/** One gate state's row of the table. */
export interface GateStateReturns {
  readonly state: GateState;
  readonly name: string;
  readonly rows: number;
  /** rows / rows with any gate state. */
  readonly share: number;
  /** One per horizon. */
  readonly returns: readonly ReturnSummary[];
}

/** The whole table. */
export interface GateReturnTable {
  readonly states: readonly GateStateReturns[];
  /** Over every row that had a gate state, one per horizon. */
  readonly all: readonly ReturnSummary[];
}

export class GateReturns {
  private readonly rows = [0, 0, 0];
  private readonly byState: ReturnMoments[][];
  private readonly all: ReturnMoments[];

  constructor(readonly horizons: number) {
    this.byState = [0, 1, 2].map(() => Array.from({ length: horizons }, () => new ReturnMoments()));
    this.all = Array.from({ length: horizons }, () => new ReturnMoments());
  }

  /** Adds one row with a gate state and its forward return per horizon. */
  add(state: GateState, returns: ArrayLike<number>): void {
    const i = state + 1;
    this.rows[i]! += 1;
    const m = this.byState[i]!;
    for (let h = 0; h < this.horizons; h++) {
      const r = returns[h] ?? Number.NaN;
      m[h]!.add(r);
      this.all[h]!.add(r);
    }
  }

  /** Rows that had a gate state. */
  get count(): number {
    return this.rows[0]! + this.rows[1]! + this.rows[2]!;
  }

  /** Returns the table. */
  result(): GateReturnTable {
    const total = this.count;
    return {
      states: GATE_STATES.map(({ state, name }) => ({
        state,
        name,
        rows: this.rows[state + 1]!,
        share: total > 0 ? this.rows[state + 1]! / total : 0,
        returns: this.byState[state + 1]!.map((m) => m.summary()),
      })),
      all: this.all.map((m) => m.summary()),
    };
  }
}
