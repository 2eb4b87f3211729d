/**
 * Zero-intelligence order flow (Smith, Farmer, Gillemot & Krishnamurthy 2003, "Statistical theory of
 * the continuous double auction"; Farmer, Patelli & Zovko 2005, "The predictive power of zero
 * intelligence in financial markets"): limit orders, market orders and cancellations arrive as
 * independent Poisson processes. A limit order is placed at a random distance from the opposite best
 * (so it may join the touch, improve it inside a wide spread, or rest deep); a market order eats the
 * best queue front first; every resting order is cancelled at a constant hazard.
 *
 * Why imbalance predicts the next move here, mechanistically: the mid only moves when a best queue
 * empties (or the spread is improved), and a thin best queue is emptied by fewer market orders and
 * cancellations than a thick one, so the side with less at the touch is the side that gives way
 * (Gould & Bonart 2016, "Queue imbalance as a one-tick-ahead price predictor in a limit order book").
 */
import type { Prng } from './prng.js';
import type { QueueBook, Side } from './queue-book.js';

/** Shape of the order flow. Shares are of the event rate at the target book size. */
export interface FlowModel {
  /**
   * Share of events that are limit orders (half per side).
   * @default 0.5
   */
  readonly limitShare: number;
  /**
   * Share of events that are market orders (half per side).
   * @default 0.12
   */
  readonly marketShare: number;
  /**
   * Resting orders per symbol at which cancellations make up the remaining share; the cancel hazard
   * per order is set from it, so the book settles near this size.
   * @default 1500
   */
  readonly restingOrders: number;
  /**
   * Share of limit orders placed near the touch; the rest rest uniformly up to `maxDistanceTicks` deep.
   * @default 0.75
   */
  readonly nearShare: number;
  /**
   * Mean extra distance (geometric) of near orders beyond one tick from the opposite best.
   * With a one-tick spread, 0 extra ticks joins the best queue.
   * @default 6
   */
  readonly nearMeanTicks: number;
  /**
   * Deepest placement, in ticks from the opposite best.
   * @default 1500
   */
  readonly maxDistanceTicks: number;
  /**
   * Log-normal sigma of order sizes around the symbol's median order size.
   * @default 0.8
   */
  readonly sizeSigma: number;
}

export const DEFAULT_FLOW_MODEL: FlowModel = {
  limitShare: 0.5,
  marketShare: 0.12,
  restingOrders: 1500,
  nearShare: 0.75,
  nearMeanTicks: 6,
  maxDistanceTicks: 1500,
  sizeSigma: 0.8,
};

/** One order-flow event. `market` orders are named by the side they hit (a buy hits the asks). */
export type FlowEvent =
  | { readonly kind: 'limit'; readonly side: Side; readonly priceTicks: number; readonly lots: number }
  | { readonly kind: 'market'; readonly against: Side; readonly lots: number }
  | { readonly kind: 'cancel'; readonly index: number };

/** Returns the total event rate (per second) in the current state: the Gillespie step's rate. */
export function totalRate(model: FlowModel, eventsPerSecond: number, orderCount: number): number {
  const cancelHazard = ((1 - model.limitShare - model.marketShare) * eventsPerSecond) / model.restingOrders;
  return (model.limitShare + model.marketShare) * eventsPerSecond + cancelHazard * orderCount;
}

/** Returns an order size in lots: log-normal around the median, at least one lot. */
export function drawLots(prng: Prng, model: FlowModel, medianLots: number): number {
  return Math.max(1, Math.round(medianLots * Math.exp(model.sizeSigma * prng.normal())));
}

/**
 * Draws which event happens next, given the book (Gillespie: each kind in proportion to its rate).
 * `anchorTicks` places orders when both sides are empty.
 */
export function drawEvent(
  prng: Prng,
  book: QueueBook,
  model: FlowModel,
  eventsPerSecond: number,
  medianLots: number,
  anchorTicks: number,
): FlowEvent {
  const n = book.orderCount;
  const limitRate = model.limitShare * eventsPerSecond;
  const marketRate = model.marketShare * eventsPerSecond;
  const u = prng.next() * totalRate(model, eventsPerSecond, n);
  const side: Side = prng.chance(0.5) ? 'bid' : 'ask';
  if (u < limitRate || n === 0) {
    return {
      kind: 'limit',
      side,
      priceTicks: placePrice(prng, book, model, side, anchorTicks),
      lots: drawLots(prng, model, medianLots),
    };
  }
  if (u < limitRate + marketRate)
    return { kind: 'market', against: side, lots: drawLots(prng, model, medianLots) };
  return { kind: 'cancel', index: prng.int(n) };
}

function placePrice(prng: Prng, book: QueueBook, model: FlowModel, side: Side, anchorTicks: number): number {
  const distance = prng.chance(model.nearShare)
    ? 1 + prng.geometric(model.nearMeanTicks)
    : 1 + prng.int(model.maxDistanceTicks);
  if (side === 'bid') {
    const ask = book.bestPrice('ask');
    const ref = ask ?? (book.bestPrice('bid') ?? anchorTicks) + 1;
    return Math.max(1, ref - distance);
  }
  const bid = book.bestPrice('bid');
  const ref = bid ?? (book.bestPrice('ask') ?? anchorTicks) - 1;
  return ref + distance;
}
