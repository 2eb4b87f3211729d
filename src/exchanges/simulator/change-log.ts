/**
 * A bounded history of one symbol's book changes, tagged with update ids, plus periodic full-book
 * checkpoints. It answers "the exact book at update id X" (replay from the nearest checkpoint) and
 * "every level that changed after update id X" (what a Binance diff-depth event carries).
 */
import { ObiError } from '../../errors.js';
import type { Side } from './queue-book.js';

/** The requested update id is older than the retained history (or newer than the book). */
export class HistoryUnavailableError extends ObiError {
  override name = 'HistoryUnavailableError';
  constructor(
    readonly symbol: string,
    readonly updateId: number,
    readonly oldestUpdateId: number,
    readonly lastUpdateId: number,
  ) {
    super(
      `symbol=${symbol}: update id ${updateId} is outside the retained history [${oldestUpdateId}, ${lastUpdateId}]`,
    );
  }
}

/** A book as exact integers: levels keyed by price in ticks, values in lots. */
export interface TickBook {
  readonly updateId: number;
  readonly bids: ReadonlyMap<number, number>;
  readonly asks: ReadonlyMap<number, number>;
}

/** Every level changed in (afterId, lastId], with its final absolute size (0 = removed). */
export interface TickDiff {
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly bids: ReadonlyMap<number, number>;
  readonly asks: ReadonlyMap<number, number>;
}

interface Checkpoint {
  readonly updateId: number;
  /** Index of the first log entry after this checkpoint. */
  entryIndex: number;
  /** Flattened [price, lots, price, lots, …]. */
  readonly bids: Float64Array;
  readonly asks: Float64Array;
}

const BID = 0;
const ASK = 1;

function flatten(levels: ReadonlyMap<number, number>): Float64Array {
  const out = new Float64Array(levels.size * 2);
  let i = 0;
  for (const [p, q] of levels) {
    out[i++] = p;
    out[i++] = q;
  }
  return out;
}

function unflatten(flat: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i] as number, flat[i + 1] as number);
  return m;
}

export class ChangeLog {
  private ids: number[] = [];
  private sides: number[] = [];
  private prices: number[] = [];
  private lots: number[] = [];
  private checkpoints: Checkpoint[] = [];
  private updatesSinceCheckpoint = 0;
  private last = 0;

  /**
   * @param symbol for error messages.
   * @param maxEntries level changes kept at least (history is cut at checkpoint boundaries).
   * @param checkpointEvery updates between full-book checkpoints: replay cost vs memory.
   */
  constructor(
    private readonly symbol: string,
    private readonly maxEntries: number,
    private readonly checkpointEvery: number,
  ) {}

  /** Returns the oldest update id the log can reproduce a book at. */
  get oldestUpdateId(): number {
    return this.checkpoints[0]?.updateId ?? this.last;
  }

  /** Returns the last update id recorded. */
  get lastUpdateId(): number {
    return this.last;
  }

  /** Starts (or restarts) the history at `book`: everything older is forgotten. */
  reset(updateId: number, bids: ReadonlyMap<number, number>, asks: ReadonlyMap<number, number>): void {
    this.ids = [];
    this.sides = [];
    this.prices = [];
    this.lots = [];
    this.checkpoints = [{ updateId, entryIndex: 0, bids: flatten(bids), asks: flatten(asks) }];
    this.updatesSinceCheckpoint = 0;
    this.last = updateId;
  }

  /** Records one level change made by update `updateId` (ids must not decrease). */
  record(updateId: number, side: Side, priceTicks: number, lots: number): void {
    this.ids.push(updateId);
    this.sides.push(side === 'bid' ? BID : ASK);
    this.prices.push(priceTicks);
    this.lots.push(lots);
  }

  /**
   * Marks update `updateId` complete. `currentBook` is called only when a checkpoint is due, so the
   * caller's book is copied once per `checkpointEvery` updates.
   */
  endUpdate(
    updateId: number,
    currentBook: () => { bids: Map<number, number>; asks: Map<number, number> },
  ): void {
    this.last = updateId;
    if (++this.updatesSinceCheckpoint < this.checkpointEvery) return;
    this.updatesSinceCheckpoint = 0;
    const book = currentBook();
    this.checkpoints.push({
      updateId,
      entryIndex: this.ids.length,
      bids: flatten(book.bids),
      asks: flatten(book.asks),
    });
    this.compact();
  }

  /** Returns the exact book after update `updateId` (the last update with id ≤ `updateId`). */
  bookAt(updateId: number): TickBook {
    if (updateId < this.oldestUpdateId || updateId > this.last) {
      throw new HistoryUnavailableError(this.symbol, updateId, this.oldestUpdateId, this.last);
    }
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.checkpoints[mid] as Checkpoint).updateId <= updateId) lo = mid;
      else hi = mid - 1;
    }
    const cp = this.checkpoints[lo] as Checkpoint;
    const bids = unflatten(cp.bids);
    const asks = unflatten(cp.asks);
    let at = cp.updateId;
    for (let i = cp.entryIndex; i < this.ids.length; i++) {
      const id = this.ids[i] as number;
      if (id > updateId) break;
      at = id;
      const m = this.sides[i] === BID ? bids : asks;
      const q = this.lots[i] as number;
      if (q === 0) m.delete(this.prices[i] as number);
      else m.set(this.prices[i] as number, q);
    }
    return { updateId: at, bids, asks };
  }

  /**
   * Returns every level changed by updates with id > `afterId`, each with its latest size, or null when
   * there are none. This is exactly a Binance diff-depth event covering (afterId, last].
   */
  changesSince(afterId: number): TickDiff | null {
    if (afterId < this.oldestUpdateId) {
      throw new HistoryUnavailableError(this.symbol, afterId, this.oldestUpdateId, this.last);
    }
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) <= afterId) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.ids.length) return null;
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (let i = lo; i < this.ids.length; i++) {
      (this.sides[i] === BID ? bids : asks).set(this.prices[i] as number, this.lots[i] as number);
    }
    return {
      firstUpdateId: this.ids[lo] as number,
      finalUpdateId: this.ids[this.ids.length - 1] as number,
      bids,
      asks,
    };
  }

  /** Drops the oldest checkpoints and their entries while at least `maxEntries` entries stay replayable. */
  private compact(): void {
    if (this.ids.length < 2 * this.maxEntries) return;
    let keep = 0;
    for (let k = this.checkpoints.length - 1; k >= 0; k--) {
      if (this.ids.length - (this.checkpoints[k] as Checkpoint).entryIndex >= this.maxEntries) {
        keep = k;
        break;
      }
    }
    if (keep === 0) return;
    const cut = (this.checkpoints[keep] as Checkpoint).entryIndex;
    this.ids.splice(0, cut);
    this.sides.splice(0, cut);
    this.prices.splice(0, cut);
    this.lots.splice(0, cut);
    this.checkpoints.splice(0, keep);
    for (const cp of this.checkpoints) cp.entryIndex -= cut;
  }
}
