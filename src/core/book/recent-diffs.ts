/**
 * The recent diffs of one symbol, oldest first, kept so that a book can be rebuilt from a later snapshot
 * (diff-book-keeper.ts): a first-in-first-out queue of diffs in which a scanned diff (ParsedDiff) is held as
 * numbers in typed arrays instead of as its objects.
 *
 * Why: a replay reads tens of thousands of diffs a second and the keeper keeps each one for two seconds of
 * stream time, so every diff object outlived the young generation: it was copied by a scavenge, promoted,
 * and swept later (a sixth of a replay's time on the simulated stream). Copied into arrays that live as
 * long as the symbol, a diff's objects die young, where collecting them costs nothing.
 *
 * Diffs of another shape (JSON-parsed, tardis.dev, another symbol or venue than the queue's) are kept as
 * they are. `at` gives back an equal diff: a ParsedDiff with the same header and the same numbers.
 */
import type { BookDiff, ParsedLevels, Venue } from '../../events.js';
import { ParsedDiff } from './parsed-diff.js';

// One entry's header, FIELDS numbers per entry in `headers`.
const FIRST = 0;
const FINAL = 1;
/** prevFinalUpdateId, NaN for null. */
const PREV = 2;
const EXCHANGE_TIME = 3;
const LOCAL_TIME = 4;
/** Where the entry's bid values start in `values`, or -1 when the entry is an object in `objects`. */
const START = 5;
const BID_VALUES = 6;
const ASK_VALUES = 7;
const FIELDS = 8;

/** The oldest entries are compacted away once this many are consumed and they are half the queue. */
const COMPACT_AFTER = 64;

export class RecentDiffs {
  private headers = new Float64Array(16 * FIELDS);
  private values = new Float64Array(512);
  /** Entries not held as numbers, by entry index (sparse: undefined for numeric entries). */
  private objects: (BookDiff | undefined)[] = [];
  /** Entries [head, tail) are queued; values in use start at the head entry's START. */
  private head = 0;
  private tail = 0;
  private valuesEnd = 0;

  constructor(
    private readonly venue: Venue,
    private readonly symbol: string,
  ) {}

  /** Returns the number of queued diffs. */
  get length(): number {
    return this.tail - this.head;
  }

  /** Appends a diff at the back. */
  push(diff: BookDiff): void {
    if (this.tail * FIELDS === this.headers.length) this.makeRoom();
    const h = this.tail * FIELDS;
    const headers = this.headers;
    headers[FIRST + h] = diff.firstUpdateId;
    headers[FINAL + h] = diff.finalUpdateId;
    headers[PREV + h] = diff.prevFinalUpdateId ?? Number.NaN;
    headers[EXCHANGE_TIME + h] = diff.exchangeTimeMs;
    headers[LOCAL_TIME + h] = diff.localTimeMs;
    if (this.holdsAsNumbers(diff)) {
      const bids = diff.bidValues;
      const asks = diff.askValues;
      const start = this.reserve(bids.length + asks.length);
      const values = this.values;
      for (let i = 0; i < bids.length; i++) values[start + i] = bids[i] as number;
      const askStart = start + bids.length;
      for (let i = 0; i < asks.length; i++) values[askStart + i] = asks[i] as number;
      headers[START + h] = start;
      headers[BID_VALUES + h] = bids.length;
      headers[ASK_VALUES + h] = asks.length;
    } else {
      headers[START + h] = -1;
      this.objects[this.tail] = diff;
    }
    this.tail++;
  }

  /** Returns the local (receive) time of the oldest diff, or NaN when empty. */
  oldestLocalTimeMs(): number {
    return this.head < this.tail ? (this.headers[this.head * FIELDS + LOCAL_TIME] as number) : Number.NaN;
  }

  /** Returns the firstUpdateId of the i-th diff from the front (0 = oldest); i must be in [0, length). */
  firstUpdateIdAt(i: number): number {
    return this.headers[(this.head + i) * FIELDS + FIRST] as number;
  }

  /** Returns the i-th diff from the front (0 = oldest), or undefined outside [0, length). */
  at(i: number): BookDiff | undefined {
    if (!(i >= 0 && i < this.length)) return undefined;
    const e = this.head + i;
    const h = e * FIELDS;
    const headers = this.headers;
    const start = headers[START + h] as number;
    if (start < 0) return this.objects[e];
    const bidEnd = start + (headers[BID_VALUES + h] as number);
    const askEnd = bidEnd + (headers[ASK_VALUES + h] as number);
    const prev = headers[PREV + h] as number;
    return new ParsedDiff(
      {
        exchange: this.venue.exchange,
        market: this.venue.market,
        symbol: this.symbol,
        firstUpdateId: headers[FIRST + h] as number,
        finalUpdateId: headers[FINAL + h] as number,
        prevFinalUpdateId: Number.isNaN(prev) ? null : prev,
        exchangeTimeMs: headers[EXCHANGE_TIME + h] as number,
        localTimeMs: headers[LOCAL_TIME + h] as number,
      },
      Array.from(this.values.subarray(start, bidEnd)),
      Array.from(this.values.subarray(bidEnd, askEnd)),
    );
  }

  /** Drops the oldest diff (nothing when empty). */
  shift(): void {
    if (this.head === this.tail) return;
    // Let a kept object be collected now, not at the next compaction.
    if ((this.headers[this.head * FIELDS + START] as number) < 0) this.objects[this.head] = undefined;
    this.head++;
    if (this.head === this.tail) this.clear();
  }

  /** Drops every diff. */
  clear(): void {
    this.head = 0;
    this.tail = 0;
    this.valuesEnd = 0;
    if (this.objects.length > 0) this.objects = [];
  }

  /** Whether the diff's levels and header can be given back from numbers and the queue's own venue. */
  private holdsAsNumbers(
    diff: BookDiff,
  ): diff is BookDiff & { readonly bidValues: ParsedLevels; readonly askValues: ParsedLevels } {
    return (
      diff instanceof ParsedDiff &&
      diff.symbol === this.symbol &&
      diff.exchange === this.venue.exchange &&
      diff.market === this.venue.market
    );
  }

  /** Returns where `n` more values can be written, growing or compacting `values` as needed. */
  private reserve(n: number): number {
    const start = this.valuesEnd;
    if (start + n > this.values.length) {
      let cap = this.values.length * 2;
      while (cap < start + n) cap *= 2;
      const values = new Float64Array(cap);
      values.set(this.values.subarray(0, start));
      this.values = values;
    }
    this.valuesEnd = start + n;
    return start;
  }

  /**
   * The header array is full: drop the consumed entries when they are most of it (each entry is moved
   * O(1) times on average, where moving the rest on every shift would cost the queue's length), else double
   * it.
   */
  private makeRoom(): void {
    const head = this.head;
    if (head >= COMPACT_AFTER && head * 2 >= this.tail) {
      this.compact();
      return;
    }
    const headers = new Float64Array(this.headers.length * 2);
    headers.set(this.headers);
    this.headers = headers;
  }

  /** Moves the queued entries, their values and their objects to the front. */
  private compact(): void {
    const head = this.head;
    const count = this.tail - head;
    const headers = this.headers;
    // The values of the queued numeric entries: from the first one's start to the end.
    let from = this.valuesEnd;
    for (let e = head; e < this.tail; e++) {
      const start = headers[e * FIELDS + START] as number;
      if (start >= 0) {
        from = start;
        break;
      }
    }
    this.values.copyWithin(0, from, this.valuesEnd);
    this.valuesEnd -= from;
    headers.copyWithin(0, head * FIELDS, this.tail * FIELDS);
    for (let e = 0; e < count; e++) {
      const s = e * FIELDS + START;
      if ((headers[s] as number) >= 0) headers[s] = (headers[s] as number) - from;
    }
    if (this.objects.length > 0) this.objects = this.objects.slice(head);
    this.head = 0;
    this.tail = count;
  }
}
