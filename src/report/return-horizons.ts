/**
 * Which forward-return label columns a run has: the seed's `mid_ret_fwd` (to the next sample) and obi's
 * time-horizon labels `ret_fwd_<h>` (e.g. `ret_fwd_5s`), in the order they appear.
 */

/** One forward-return label column and how the report names it. */
export interface ReturnHorizon {
  readonly column: string;
  /** e.g. `next sample`, `5s`. */
  readonly label: string;
}

const HORIZON_COLUMN = /^ret_fwd_(.+)$/;

/** Returns the forward-return columns among `columns`: `mid_ret_fwd` first, then every `ret_fwd_<h>`. */
export function returnHorizons(columns: Iterable<string>): ReturnHorizon[] {
  const found: ReturnHorizon[] = [];
  let next: ReturnHorizon | null = null;
  for (const column of columns) {
    if (column === 'mid_ret_fwd') next = { column, label: 'next sample' };
    const m = HORIZON_COLUMN.exec(column);
    if (m !== null) found.push({ column, label: m[1] as string });
  }
  return next === null ? found : [next, ...found];
}
