/**
 * A fixed-capacity FIFO of numbers (the deque behind the rolling statistics): pushing into a full ring evicts
 * the oldest value. Preallocated, so pushes never allocate.
 */
export class Float64Ring {
  readonly capacity: number;
  private readonly slots: Float64Array;
  /** Index of the oldest value. */
  private head = 0;
  private length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slots = new Float64Array(capacity);
  }

  /** Appends `x` and returns the value it evicted, or NaN when the ring was not full. */
  push(x: number): number {
    if (this.length < this.capacity) {
      this.slots[(this.head + this.length) % this.capacity] = x;
      this.length++;
      return Number.NaN;
    }
    const evicted = this.slots[this.head] as number;
    this.slots[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** Values held, at most `capacity`. */
  get size(): number {
    return this.length;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }
}
