/**
 * A first-in-first-out queue over a plain array with a head index: `shift` is O(1) and the consumed prefix
 * is compacted away only when it is at least half the array (amortised O(1) per item). `Array#shift` and
 * `splice(0, n)` move every remaining element on each call, which made a window of a few thousand recent
 * diffs per symbol cost more than applying the diffs.
 */
export class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  /** Returns the number of queued items. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends an item at the back. */
  push(item: T): void {
    this.items.push(item);
  }

  /** Returns the i-th item from the front (0 = oldest), or undefined outside [0, length). */
  at(i: number): T | undefined {
    return i >= 0 && i < this.length ? this.items[this.head + i] : undefined;
  }

  /** Returns the oldest item without removing it, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    // Let the item be collected now, not at the next compaction.
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes every item. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
