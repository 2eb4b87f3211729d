/**
 * The seed's `mid_ret_fwd`: log return of the mid from this sample to the NEXT sample of the same symbol
 * (pandas `log(mid.shift(-1)) - log(mid)`). It is a label, not a feature: it uses data after t, so a row is
 * held back until its successor arrives. Holds at most one row per symbol (bounded memory).
 */
export class NextSampleReturnLabeler<R extends { mid: number }> {
  private held: R | null = null;

  /**
   * Feeds the next row; returns the previous row, now labelled with `fwd`, or null for the first row.
   * `label(row, fwd)` writes the label into the held row.
   */
  push(row: R, label: (row: R, fwd: number) => void): R | null {
    const prev = this.held;
    this.held = row;
    if (prev === null) return null;
    label(prev, Math.log(row.mid) - Math.log(prev.mid));
    return prev;
  }

  /** Returns the last row with a missing (NaN) label: its future is unknown. */
  flush(label: (row: R, fwd: number) => void): R | null {
    const prev = this.held;
    this.held = null;
    if (prev !== null) label(prev, Number.NaN);
    return prev;
  }
}
