/**
 * The simulated venue's limit order book: per price level a FIFO queue of resting orders, prices in
 * integer ticks and sizes in integer lots, so the book is exact. Price-time priority as on Binance:
 * a market order fills the best level's queue front first.
 */

export type Side = 'bid' | 'ask';

/** A resting limit order. `liveIndex` is its slot in the book's live-order array (for O(1) removal). */
interface RestingOrder {
  readonly side: Side;
  readonly priceTicks: number;
  lots: number;
  liveIndex: number;
}

interface Level {
  readonly priceTicks: number;
  totalLots: number;
  /** FIFO: index 0 is first in line. */
  readonly orders: RestingOrder[];
}

/** A level whose total changed; `lots` is the new absolute total (0 = the level is gone). */
export interface LevelChange {
  readonly side: Side;
  readonly priceTicks: number;
  readonly lots: number;
}

/** One maker order (partly) filled by a taker. */
export interface Fill {
  readonly priceTicks: number;
  readonly lots: number;
}

class BookSide {
  readonly levels = new Map<number, Level>();
  /**
   * Prices worst-first so the best sits at the end: nearly all activity is near the touch, so inserts
   * and removals there shift few elements.
   */
  readonly prices: number[] = [];

  constructor(readonly side: Side) {}

  /** True when price `a` is better than price `b` on this side. */
  better(a: number, b: number): boolean {
    return this.side === 'bid' ? a > b : a < b;
  }

  bestPrice(): number | undefined {
    return this.prices[this.prices.length - 1];
  }

  bestLevel(): Level | undefined {
    const p = this.bestPrice();
    return p === undefined ? undefined : this.levels.get(p);
  }

  getOrCreate(priceTicks: number): Level {
    const existing = this.levels.get(priceTicks);
    if (existing !== undefined) return existing;
    const level: Level = { priceTicks, totalLots: 0, orders: [] };
    this.levels.set(priceTicks, level);
    // Binary search for the first index whose price is better than the new one (worst-first order).
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(this.prices[mid] as number, priceTicks)) hi = mid;
      else lo = mid + 1;
    }
    this.prices.splice(lo, 0, priceTicks);
    return level;
  }

  removeLevel(priceTicks: number): void {
    this.levels.delete(priceTicks);
    const last = this.prices.length - 1;
    if (this.prices[last] === priceTicks) {
      this.prices.pop();
      return;
    }
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.prices[mid] as number;
      if (p === priceTicks) {
        this.prices.splice(mid, 1);
        return;
      }
      if (this.better(p, priceTicks)) hi = mid;
      else lo = mid + 1;
    }
  }
}

/** A price-time-priority book with explicit order queues. All mutations return the levels they changed. */
export class QueueBook {
  private readonly bids = new BookSide('bid');
  private readonly asks = new BookSide('ask');
  /** Every resting order, in no particular order, for uniform random cancellation. */
  private readonly live: RestingOrder[] = [];

  /** Returns the number of resting orders. */
  get orderCount(): number {
    return this.live.length;
  }

  /** Returns the best price of a side in ticks, or undefined when the side is empty. */
  bestPrice(side: Side): number | undefined {
    return this.sideOf(side).bestPrice();
  }

  /** Returns the total lots at the best level of a side (0 when empty). */
  bestLots(side: Side): number {
    return this.sideOf(side).bestLevel()?.totalLots ?? 0;
  }

  /** Returns the number of price levels on a side. */
  levelCount(side: Side): number {
    return this.sideOf(side).prices.length;
  }

  /** Returns up to `limit` levels of a side, best first, as [priceTicks, lots] pairs. */
  levels(side: Side, limit: number): Array<[number, number]> {
    const s = this.sideOf(side);
    const out: Array<[number, number]> = [];
    for (let i = s.prices.length - 1; i >= 0 && out.length < limit; i--) {
      const p = s.prices[i] as number;
      out.push([p, (s.levels.get(p) as Level).totalLots]);
    }
    return out;
  }

  /** Calls `visit(priceTicks, lots)` for every level of a side (any order). */
  forEachLevel(side: Side, visit: (priceTicks: number, lots: number) => void): void {
    for (const level of this.sideOf(side).levels.values()) visit(level.priceTicks, level.totalLots);
  }

  /**
   * Rests a limit order. The caller guarantees it does not cross the opposite best (the flow model
   * only places non-marketable orders). Returns the changed level.
   */
  addLimit(side: Side, priceTicks: number, lots: number): LevelChange {
    const level = this.sideOf(side).getOrCreate(priceTicks);
    const order: RestingOrder = { side, priceTicks, lots, liveIndex: this.live.length };
    this.live.push(order);
    level.orders.push(order);
    level.totalLots += lots;
    return { side, priceTicks, lots: level.totalLots };
  }

  /** Cancels the resting order at live-slot `index` (0..orderCount-1). Returns the changed level. */
  cancelAt(index: number): LevelChange | undefined {
    const order = this.live[index];
    if (order === undefined) return undefined;
    const s = this.sideOf(order.side);
    const level = s.levels.get(order.priceTicks) as Level;
    const pos = level.orders.indexOf(order);
    level.orders.splice(pos, 1);
    level.totalLots -= order.lots;
    this.dropLive(order);
    if (level.orders.length === 0) s.removeLevel(order.priceTicks);
    return {
      side: order.side,
      priceTicks: order.priceTicks,
      lots: level.orders.length === 0 ? 0 : level.totalLots,
    };
  }

  /**
   * Executes a market order of `lots` against side `against` (a buy hits the asks). Fills walk the
   * queue front first and then deeper levels. Returns the fills (one per maker order) and the changed
   * levels; an empty opposite side fills nothing.
   */
  market(against: Side, lots: number): { fills: Fill[]; changes: LevelChange[] } {
    const s = this.sideOf(against);
    const fills: Fill[] = [];
    const changes: LevelChange[] = [];
    let remaining = lots;
    while (remaining > 0) {
      const level = s.bestLevel();
      if (level === undefined) break;
      while (remaining > 0 && level.orders.length > 0) {
        const maker = level.orders[0] as RestingOrder;
        const take = Math.min(remaining, maker.lots);
        fills.push({ priceTicks: level.priceTicks, lots: take });
        remaining -= take;
        maker.lots -= take;
        level.totalLots -= take;
        if (maker.lots === 0) {
          level.orders.shift();
          this.dropLive(maker);
        }
      }
      if (level.orders.length === 0) {
        s.removeLevel(level.priceTicks);
        changes.push({ side: against, priceTicks: level.priceTicks, lots: 0 });
      } else {
        changes.push({ side: against, priceTicks: level.priceTicks, lots: level.totalLots });
      }
    }
    return { fills, changes };
  }

  private sideOf(side: Side): BookSide {
    return side === 'bid' ? this.bids : this.asks;
  }

  private dropLive(order: RestingOrder): void {
    const last = this.live.pop() as RestingOrder;
    if (last !== order) {
      this.live[order.liveIndex] = last;
      last.liveIndex = order.liveIndex;
    }
  }
}
