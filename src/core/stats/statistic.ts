/**
 * The one lifecycle every streaming statistic shares: feed it with `update`, read `value`.
 * `value` is NaN until `ready`.
 */
export interface Statistic {
  /** Feeds one observation (NaN counts as a missing observation) and returns the new value. */
  update(x: number): number;
  readonly value: number;
  /** Observations seen (non-NaN). */
  readonly count: number;
  /** True once warm-up is over and `value` is meaningful. */
  readonly ready: boolean;
  reset(): void;
}
