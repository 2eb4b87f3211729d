/**
 * The last `capacity` rows of a few numeric series, kept side by side in rings: the bounded store that
 * exact rank statistics (Spearman) are computed from at the end of a run. The rings start small and double
 * up to `capacity`, so a short run does not pay for a long one.
 */
const INITIAL_ROWS = 1024;

export class SeriesWindow {
  readonly capacity: number;
  readonly width: number;
  private columns: Float64Array[];
  private head = 0;
  private length = 0;
  private total = 0;

  constructor(width: number, capacity: number) {
    this.width = width;
    this.capacity = capacity;
    const initial = Math.min(capacity, INITIAL_ROWS);
    this.columns = Array.from({ length: width }, () => new Float64Array(initial));
  }

  /** Appends one row (values[i] for series i), evicting the oldest when `capacity` rows are held. */
  push(values: ArrayLike<number>): void {
    let allocated = this.columns[0]?.length ?? 0;
    if (this.length === allocated && allocated < this.capacity) {
      const grown = Math.min(this.capacity, allocated * 2);
      this.columns = this.columns.map((_, c) => {
        const next = new Float64Array(grown);
        next.set(this.series(c));
        return next;
      });
      this.head = 0;
      allocated = grown;
    }
    const slot = (this.head + this.length) % allocated;
    for (let c = 0; c < this.width; c++) this.columns[c]![slot] = values[c]!;
    if (this.length < allocated) this.length++;
    else this.head = (this.head + 1) % allocated;
    this.total++;
  }

  /** Rows held (at most `capacity`). */
  get size(): number {
    return this.length;
  }

  /** Rows ever pushed: more than `size` once the oldest were evicted. */
  get pushed(): number {
    return this.total;
  }

  /** Returns series `c` oldest first, as a new array of `size` values. */
  series(c: number): Float64Array {
    const column = this.columns[c]!;
    const allocated = column.length;
    const out = new Float64Array(this.length);
    const firstPart = Math.min(this.length, allocated - this.head);
    out.set(column.subarray(this.head, this.head + firstPart), 0);
    out.set(column.subarray(0, this.length - firstPart), firstPart);
    return out;
  }
}
