import type { Statistic } from './statistic.js';

/**
 * The {@link Statistic} lifecycle for statistics of irregularly spaced samples, where each observation
 * arrives with its own time (exchange or sample time; the core never reads a clock).
 */
export interface TimedStatistic extends Omit<Statistic, 'update'> {
  /** Feeds one observation (NaN = missing) taken at `timeMs` (epoch ms, non-decreasing) and returns `value`. */
  update(x: number, timeMs: number): number;
}
