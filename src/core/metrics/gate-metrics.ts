/**
 * How the toxicity gate's states relate to what happened next. Per state: share of rows and of time, number
 * of entries, and per horizon the mean forward return with its t-statistic, the up/down/zero rates and their
 * lift over the base rate of all labelled rows ("a bearish gate is followed by a down move X% of the time,
 * against Y% overall"), also on entry rows alone.
 *
 * Consecutive rows in one state have overlapping forward windows and are far from independent, so the plain
 * t-statistic overstates the evidence. `t_stat_nonoverlap` uses only rows at least one horizon apart within
 * the state (the first row, then the next one ≥ h later, …): fewer rows, honest independence.
 */
import { RunningMoments } from '../stats/running-moments.js';
import { horizonName } from '../labels/forward-returns.js';

const STATE_NAMES = { [-1]: 'bearish', 0: 'neutral', 1: 'bullish' } as const;
type StateName = (typeof STATE_NAMES)[keyof typeof STATE_NAMES];

export interface ForwardByState {
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly t_stat: number;
  readonly n_nonoverlap: number;
  readonly mean_nonoverlap: number;
  readonly t_stat_nonoverlap: number;
  readonly up_rate: number;
  readonly down_rate: number;
  readonly zero_rate: number;
  /** up_rate / base up_rate. */
  readonly up_lift: number;
  /** down_rate / base down_rate. */
  readonly down_lift: number;
  /** The same on the rows where the state was entered (gate_age = 0). */
  readonly at_entry: {
    readonly n: number;
    readonly mean: number;
    readonly up_rate: number;
    readonly down_rate: number;
  };
}

export interface StateResult {
  readonly rows: number;
  readonly share_rows: number;
  readonly share_time: number;
  readonly entries: number;
  readonly mean_duration_rows: number;
  /** Horizon name (e.g. `5s`) → forward returns after rows in this state. */
  readonly forward: Readonly<Record<string, ForwardByState>>;
}

export interface BaseRate {
  readonly n: number;
  readonly mean: number;
  readonly up_rate: number;
  readonly down_rate: number;
  readonly zero_rate: number;
}

export interface GateResult {
  readonly rows: number;
  readonly states: Readonly<Record<StateName, StateResult>>;
  /** Horizon name → rates over every labelled row, whatever the state. */
  readonly base_rates: Readonly<Record<string, BaseRate>>;
}

class MoveCounts {
  readonly moments = new RunningMoments();
  up = 0;
  down = 0;
  zero = 0;

  add(ret: number): void {
    this.moments.update(ret);
    if (ret > 0) this.up++;
    else if (ret < 0) this.down++;
    else this.zero++;
  }

  rate(k: number): number {
    const n = this.moments.count;
    return n > 0 ? k / n : Number.NaN;
  }
}

class StateHorizon {
  readonly all = new MoveCounts();
  readonly entry = new MoveCounts();
  readonly spaced = new RunningMoments();
  lastSpacedMs = Number.NEGATIVE_INFINITY;
}

class StateAccumulator {
  rows = 0;
  timeMs = 0;
  entries = 0;
  readonly horizons: StateHorizon[];

  constructor(horizonCount: number) {
    this.horizons = Array.from({ length: horizonCount }, () => new StateHorizon());
  }
}

/** Returns mean / (std / √n), NaN with fewer than 2 values or zero spread. */
function tStat(m: RunningMoments): number {
  const n = m.count;
  const sd = m.std;
  return n >= 2 && sd > 0 ? m.mean / (sd / Math.sqrt(n)) : Number.NaN;
}

export class GateMetrics {
  private readonly states = new Map<number, StateAccumulator>();
  private readonly base: MoveCounts[];
  private rows = 0;
  private previousState: number | null = null;
  private previousTimeMs = Number.NaN;
  private totalTimeMs = 0;

  constructor(readonly horizonsMs: readonly number[]) {
    for (const s of [-1, 0, 1]) this.states.set(s, new StateAccumulator(horizonsMs.length));
    this.base = horizonsMs.map(() => new MoveCounts());
  }

  /** Feeds one finished row: gate state, gate age, time and forward returns (in `horizonsMs` order). */
  update(gate: number, gateAge: number, timeMs: number, returns: ArrayLike<number>): void {
    const st = this.states.get(gate);
    if (st === undefined) return;
    this.rows++;
    // The state of a row holds until the next row: its time interval is credited when the next one arrives.
    if (this.previousState !== null) {
      const dt = timeMs - this.previousTimeMs;
      if (dt > 0 && Number.isFinite(dt)) {
        this.states.get(this.previousState)!.timeMs += dt;
        this.totalTimeMs += dt;
      }
    }
    this.previousState = gate;
    this.previousTimeMs = timeMs;
    st.rows++;
    const entered = gateAge === 0;
    if (entered) st.entries++;
    for (let j = 0; j < this.horizonsMs.length; j++) {
      const ret = returns[j]!;
      if (Number.isNaN(ret)) continue;
      this.base[j]!.add(ret);
      const h = st.horizons[j]!;
      h.all.add(ret);
      if (entered) h.entry.add(ret);
      if (timeMs >= h.lastSpacedMs + this.horizonsMs[j]!) {
        h.spaced.update(ret);
        h.lastSpacedMs = timeMs;
      }
    }
  }

  /** Returns the per-state metrics. */
  result(): GateResult {
    const baseRates: Record<string, BaseRate> = {};
    this.horizonsMs.forEach((ms, j) => {
      const b = this.base[j]!;
      baseRates[horizonName(ms)] = {
        n: b.moments.count,
        mean: b.moments.mean,
        up_rate: b.rate(b.up),
        down_rate: b.rate(b.down),
        zero_rate: b.rate(b.zero),
      };
    });
    const states = {} as Record<StateName, StateResult>;
    for (const [state, acc] of this.states) {
      const forward: Record<string, ForwardByState> = {};
      this.horizonsMs.forEach((ms, j) => {
        const h = acc.horizons[j]!;
        const b = baseRates[horizonName(ms)]!;
        const upRate = h.all.rate(h.all.up);
        const downRate = h.all.rate(h.all.down);
        forward[horizonName(ms)] = {
          n: h.all.moments.count,
          mean: h.all.moments.mean,
          std: h.all.moments.std,
          t_stat: tStat(h.all.moments),
          n_nonoverlap: h.spaced.count,
          mean_nonoverlap: h.spaced.mean,
          t_stat_nonoverlap: tStat(h.spaced),
          up_rate: upRate,
          down_rate: downRate,
          zero_rate: h.all.rate(h.all.zero),
          up_lift: upRate / b.up_rate,
          down_lift: downRate / b.down_rate,
          at_entry: {
            n: h.entry.moments.count,
            mean: h.entry.moments.mean,
            up_rate: h.entry.rate(h.entry.up),
            down_rate: h.entry.rate(h.entry.down),
          },
        };
      });
      states[STATE_NAMES[state as -1 | 0 | 1]] = {
        rows: acc.rows,
        share_rows: this.rows > 0 ? acc.rows / this.rows : Number.NaN,
        share_time: this.totalTimeMs > 0 ? acc.timeMs / this.totalTimeMs : Number.NaN,
        entries: acc.entries,
        mean_duration_rows: acc.entries > 0 ? acc.rows / acc.entries : Number.NaN,
        forward,
      };
    }
    return { rows: this.rows, states, base_rates: baseRates };
  }
}
