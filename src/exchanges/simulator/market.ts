/**
 * The simulated venue: several symbols, each an exact limit order book driven by zero-intelligence
 * order flow (see zero-intelligence-flow.ts) in simulated continuous time. Nothing here reads a clock:
 * time only moves through `advanceTo` / `step`, so a seed and a sequence of target times fix the
 * whole path. Each symbol draws from its own PRNG stream, and events are processed in each symbol's own
 * time, so how the caller slices time (one big advance or many small ones) never changes the path.
 *
 * Update ids follow Binance: every book change bumps the symbol's id (spot: by one; futures: by a
 * random stride, so `U` is not `pu + 1` there, as on USD-M). A diff over an interval carries each
 * changed level once with its final size, so `u - U + 1` can exceed the number of levels in it.
 */
import { ConfigError, UnknownSymbolError } from '../../errors.js';
import type { PriceLevel } from '../../events.js';
import { ChangeLog, type TickDiff } from './change-log.js';
import { formatUnits } from './fixed-decimal.js';
import { Prng, deriveSeed } from './prng.js';
import { QueueBook, type LevelChange, type Side } from './queue-book.js';
import {
  DEFAULT_FUTURES_SYMBOLS,
  DEFAULT_SPOT_SYMBOLS,
  resolveSymbol,
  type ResolvedSymbol,
  type SymbolSpec,
} from './symbol-spec.js';
import { DEFAULT_FLOW_MODEL, drawEvent, totalRate, type FlowModel } from './zero-intelligence-flow.js';

export interface MarketOptions {
  /**
   * Symbols to simulate.
   * @default DEFAULT_SPOT_SYMBOLS or DEFAULT_FUTURES_SYMBOLS (BTCUSDT, ETHUSDT, SOLUSDT)
   */
  readonly symbols?: readonly SymbolSpec[];
  /**
   * Wire conventions: decimals (8 on spot, tick/step precision on futures) and update-id strides.
   * @default 'spot'
   */
  readonly market?: 'spot' | 'futures';
  /**
   * Seed of the whole path.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Order-flow events per second for a symbol of activity 1 (at the target book size).
   * @default 40
   */
  readonly eventsPerSecond?: number;
  /**
   * Simulated time (epoch ms) at which the market opens; the server passes the wall clock.
   * @default 0
   */
  readonly startTimeMs?: number;
  /** Overrides of the order-flow model. */
  readonly flow?: Partial<FlowModel>;
  /**
   * Level changes per symbol kept for `bookAt` / `diffSince` (at least; trimmed at checkpoints).
   * About 40 minutes at the default activity.
   * @default 100000
   */
  readonly historyChanges?: number;
  /**
   * Updates between full-book checkpoints (bounds the replay cost of `bookAt`).
   * @default 1024
   */
  readonly checkpointEvery?: number;
  /**
   * Trades (and aggregate trades) kept per symbol.
   * @default 1000
   */
  readonly tradeHistory?: number;
  /**
   * Order-flow events run (unrecorded) before the market opens so the book starts in its steady state.
   * @default 4 × flow.restingOrders
   */
  readonly warmupEvents?: number;
}

/** A book as Binance's REST depth body: `{"lastUpdateId","bids","asks"}`, best first. */
export interface DepthBody {
  readonly lastUpdateId: number;
  readonly bids: readonly PriceLevel[];
  readonly asks: readonly PriceLevel[];
}

/** Every level changed over update ids [firstUpdateId, finalUpdateId] (Binance `U`, `u`), best first. */
export interface DepthDiff {
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly bids: readonly PriceLevel[];
  readonly asks: readonly PriceLevel[];
}

/** One fill against one maker order (Binance `@trade`). */
export interface SimTrade {
  readonly tradeId: number;
  readonly aggTradeId: number;
  readonly price: string;
  readonly qty: string;
  /** Binance `m`: the buyer was the maker, i.e. the taker sold. */
  readonly buyerIsMaker: boolean;
  readonly timeMs: number;
}

/** Fills of one taker order at one price (Binance `@aggTrade` / `GET /api/v3/aggTrades`). */
export interface SimAggTrade {
  readonly aggTradeId: number;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly price: string;
  readonly qty: string;
  readonly buyerIsMaker: boolean;
  readonly timeMs: number;
}

/** Best bid and ask as numbers (NaN for an empty side): for analysis, not for the wire. */
export interface TopOfBook {
  readonly lastUpdateId: number;
  readonly bidPrice: number;
  readonly bidQty: number;
  readonly askPrice: number;
  readonly askQty: number;
}

/** What `step()` did. `updateId` is null when the event changed nothing (a market order on an empty side). */
export interface StepResult {
  readonly symbol: string;
  readonly kind: 'limit' | 'market' | 'cancel';
  readonly timeMs: number;
  readonly updateId: number | null;
}

const UNITS_PER_ONE = 1e8;

class SymbolSim {
  readonly book = new QueueBook();
  readonly log: ChangeLog;
  readonly trades: SimTrade[] = [];
  readonly aggTrades: SimAggTrade[] = [];
  nextEventMs = 0;
  updateId: number;
  private tradeId: number;
  private aggTradeId: number;
  private readonly rate: number;

  constructor(
    readonly spec: ResolvedSymbol,
    private readonly prng: Prng,
    private readonly flow: FlowModel,
    eventsPerSecond: number,
    private readonly sparseIds: boolean,
    private readonly tradeHistory: number,
    historyChanges: number,
    checkpointEvery: number,
  ) {
    this.rate = eventsPerSecond * spec.activity;
    this.log = new ChangeLog(spec.symbol, historyChanges, checkpointEvery);
    // Large starting ids, as on Binance (tens of billions), so clients that squeeze ids into 32 bits fail.
    this.updateId = 10_000_000_000 + prng.int(1_000_000_000);
    this.tradeId = 3_000_000_000 + prng.int(1_000_000_000);
    this.aggTradeId = 2_000_000_000 + prng.int(1_000_000_000);
  }

  open(startTimeMs: number, warmupEvents: number): void {
    // Seed a book by placement alone, then let the full flow run it into its steady state.
    for (let i = 0; i < this.flow.restingOrders; i++) {
      const e = drawEvent(
        this.prng,
        this.book,
        { ...this.flow, limitShare: 1, marketShare: 0 },
        this.rate,
        this.spec.orderLots,
        this.spec.startTicks,
      );
      if (e.kind === 'limit') this.book.addLimit(e.side, e.priceTicks, e.lots);
    }
    for (let i = 0; i < warmupEvents; i++) this.apply(this.draw(), Number.NaN, false);
    const { bids, asks } = this.bookMaps();
    this.log.reset(this.updateId, bids, asks);
    this.trades.length = 0;
    this.aggTrades.length = 0;
    this.nextEventMs = startTimeMs + this.waitMs();
  }

  /** Processes the next event; returns what it was. */
  step(): StepResult {
    const timeMs = this.nextEventMs;
    const event = this.draw();
    const updateId = this.apply(event, timeMs, true);
    this.nextEventMs = timeMs + this.waitMs();
    return { symbol: this.spec.symbol, kind: event.kind, timeMs, updateId };
  }

  bookMaps(): { bids: Map<number, number>; asks: Map<number, number> } {
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    this.book.forEachLevel('bid', (p, q) => bids.set(p, q));
    this.book.forEachLevel('ask', (p, q) => asks.set(p, q));
    return { bids, asks };
  }

  price(ticks: number): string {
    return formatUnits(ticks * this.spec.tickUnits, this.spec.priceDecimals);
  }

  qty(lots: number): string {
    return formatUnits(lots * this.spec.stepUnits, this.spec.qtyDecimals);
  }

  level(priceTicks: number, lots: number): PriceLevel {
    return [this.price(priceTicks), this.qty(lots)];
  }

  private waitMs(): number {
    return this.prng.exponential(totalRate(this.flow, this.rate, this.book.orderCount)) * 1000;
  }

  private draw(): ReturnType<typeof drawEvent> {
    return drawEvent(this.prng, this.book, this.flow, this.rate, this.spec.orderLots, this.spec.startTicks);
  }

  private apply(event: ReturnType<typeof drawEvent>, timeMs: number, recorded: boolean): number | null {
    let changes: LevelChange[];
    if (event.kind === 'limit') {
      changes = [this.book.addLimit(event.side, event.priceTicks, event.lots)];
    } else if (event.kind === 'cancel') {
      const c = this.book.cancelAt(event.index);
      changes = c === undefined ? [] : [c];
    } else {
      const { fills, changes: ch } = this.book.market(event.against, event.lots);
      changes = ch;
      if (recorded && fills.length > 0) this.recordTrades(fills, event.against, Math.floor(timeMs));
    }
    if (changes.length === 0) return null;
    this.updateId += this.sparseIds ? 1 + this.prng.geometric(1.5) : 1;
    if (!recorded) return this.updateId;
    for (const c of changes) this.log.record(this.updateId, c.side, c.priceTicks, c.lots);
    this.log.endUpdate(this.updateId, () => this.bookMaps());
    return this.updateId;
  }

  private recordTrades(
    fills: ReadonlyArray<{ priceTicks: number; lots: number }>,
    against: Side,
    timeMs: number,
  ): void {
    const buyerIsMaker = against === 'bid';
    let i = 0;
    while (i < fills.length) {
      const priceTicks = (fills[i] as { priceTicks: number }).priceTicks;
      const aggTradeId = ++this.aggTradeId;
      const firstTradeId = this.tradeId + 1;
      let lots = 0;
      for (; i < fills.length && (fills[i] as { priceTicks: number }).priceTicks === priceTicks; i++) {
        const f = fills[i] as { lots: number };
        lots += f.lots;
        this.trades.push({
          tradeId: ++this.tradeId,
          aggTradeId,
          price: this.price(priceTicks),
          qty: this.qty(f.lots),
          buyerIsMaker,
          timeMs,
        });
      }
      this.aggTrades.push({
        aggTradeId,
        firstTradeId,
        lastTradeId: this.tradeId,
        price: this.price(priceTicks),
        qty: this.qty(lots),
        buyerIsMaker,
        timeMs,
      });
    }
    if (this.trades.length > 2 * this.tradeHistory)
      this.trades.splice(0, this.trades.length - this.tradeHistory);
    if (this.aggTrades.length > 2 * this.tradeHistory) {
      this.aggTrades.splice(0, this.aggTrades.length - this.tradeHistory);
    }
  }
}

function sortedLevels(sim: SymbolSim, m: ReadonlyMap<number, number>, side: Side): PriceLevel[] {
  const prices = [...m.keys()].sort(side === 'bid' ? (a, b) => b - a : (a, b) => a - b);
  return prices.map((p) => sim.level(p, m.get(p) as number));
}

/** Returns the items with `idOf(item) > afterId` from an id-sorted array. */
function after<T>(items: readonly T[], afterId: number, idOf: (t: T) => number): T[] {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (idOf(items[mid] as T) <= afterId) lo = mid + 1;
    else hi = mid;
  }
  return items.slice(lo);
}

/** A multi-symbol simulated exchange with exact books, Binance-style update ids and trades. */
export class SimulatedMarket {
  /** Symbols in the order given. */
  readonly symbols: readonly string[];
  readonly marketType: 'spot' | 'futures';
  private readonly sims = new Map<string, SymbolSim>();
  private now: number;

  constructor(options: MarketOptions = {}) {
    this.marketType = options.market ?? 'spot';
    const specs =
      options.symbols ?? (this.marketType === 'spot' ? DEFAULT_SPOT_SYMBOLS : DEFAULT_FUTURES_SYMBOLS);
    if (specs.length === 0) throw new ConfigError('at least one symbol is needed', 'symbols');
    const flow: FlowModel = { ...DEFAULT_FLOW_MODEL, ...options.flow };
    if (
      !(flow.limitShare > flow.marketShare) ||
      flow.limitShare + flow.marketShare >= 1 ||
      flow.restingOrders < 10
    ) {
      throw new ConfigError(
        'flow: need marketShare < limitShare, limitShare + marketShare < 1, restingOrders ≥ 10',
        'flow',
      );
    }
    const eventsPerSecond = options.eventsPerSecond ?? 40;
    if (!(eventsPerSecond > 0) || !Number.isFinite(eventsPerSecond)) {
      throw new ConfigError('eventsPerSecond must be a positive number', 'eventsPerSecond');
    }
    const seed = options.seed ?? 1;
    this.now = options.startTimeMs ?? 0;
    specs.forEach((spec, i) => {
      const resolved = resolveSymbol(spec, this.marketType);
      if (this.sims.has(resolved.symbol))
        throw new ConfigError(`duplicate symbol ${resolved.symbol}`, 'symbols');
      const sim = new SymbolSim(
        resolved,
        new Prng(deriveSeed(seed, i)),
        flow,
        eventsPerSecond,
        this.marketType === 'futures',
        options.tradeHistory ?? 1000,
        options.historyChanges ?? 100_000,
        options.checkpointEvery ?? 1024,
      );
      sim.open(this.now, options.warmupEvents ?? 4 * flow.restingOrders);
      this.sims.set(resolved.symbol, sim);
    });
    this.symbols = specs.map((s) => s.symbol);
  }

  /** Returns the simulated time (epoch ms) the market has been advanced to. */
  get nowMs(): number {
    return this.now;
  }

  /** Returns true when the symbol is simulated. */
  has(symbol: string): boolean {
    return this.sims.has(symbol);
  }

  /** Returns the symbol's resolved spec (grid, decimals, activity). */
  spec(symbol: string): ResolvedSymbol {
    return this.sim(symbol).spec;
  }

  /** Runs every event due up to `timeMs` (inclusive) on every symbol; returns how many ran. */
  advanceTo(timeMs: number): number {
    let n = 0;
    for (const sim of this.sims.values()) {
      while (sim.nextEventMs <= timeMs) {
        sim.step();
        n++;
      }
    }
    if (timeMs > this.now) this.now = timeMs;
    return n;
  }

  /** Runs exactly one event: the earliest due across symbols. Returns what happened. */
  step(): StepResult {
    let next: SymbolSim | undefined;
    for (const sim of this.sims.values())
      if (next === undefined || sim.nextEventMs < next.nextEventMs) next = sim;
    const result = (next as SymbolSim).step();
    if (result.timeMs > this.now) this.now = result.timeMs;
    return result;
  }

  /** Returns the symbol's current update id (Binance `lastUpdateId`). */
  lastUpdateId(symbol: string): number {
    return this.sim(symbol).log.lastUpdateId;
  }

  /** Returns the oldest update id `bookAt` / `diffSince` can still answer for. */
  oldestUpdateId(symbol: string): number {
    return this.sim(symbol).log.oldestUpdateId;
  }

  /** Returns the current top `limit` levels per side as the REST depth body. */
  depth(symbol: string, limit: number): DepthBody {
    const sim = this.sim(symbol);
    return {
      lastUpdateId: sim.log.lastUpdateId,
      bids: sim.book.levels('bid', limit).map(([p, q]) => sim.level(p, q)),
      asks: sim.book.levels('ask', limit).map(([p, q]) => sim.level(p, q)),
    };
  }

  /**
   * Returns the exact full book right after update `updateId` (the latest update with id ≤ it), as
   * the venue's truth for tests. Throws HistoryUnavailableError outside the retained history.
   */
  bookAt(symbol: string, updateId: number): DepthBody {
    const sim = this.sim(symbol);
    const b = sim.log.bookAt(updateId);
    return {
      lastUpdateId: b.updateId,
      bids: sortedLevels(sim, b.bids, 'bid'),
      asks: sortedLevels(sim, b.asks, 'ask'),
    };
  }

  /**
   * Returns every level changed by updates after `afterUpdateId`, each with its final size ("0" =
   * removed), or null when nothing changed: one Binance diff-depth event. Throws
   * HistoryUnavailableError when `afterUpdateId` is older than the retained history.
   */
  diffSince(symbol: string, afterUpdateId: number): DepthDiff | null {
    const sim = this.sim(symbol);
    const d: TickDiff | null = sim.log.changesSince(afterUpdateId);
    if (d === null) return null;
    return {
      firstUpdateId: d.firstUpdateId,
      finalUpdateId: d.finalUpdateId,
      bids: sortedLevels(sim, d.bids, 'bid'),
      asks: sortedLevels(sim, d.asks, 'ask'),
    };
  }

  /** Returns the best bid/ask as numbers. */
  top(symbol: string): TopOfBook {
    const sim = this.sim(symbol);
    const s = sim.spec;
    const bid = sim.book.bestPrice('bid');
    const ask = sim.book.bestPrice('ask');
    const toPrice = (t: number | undefined): number =>
      t === undefined ? Number.NaN : (t * s.tickUnits) / UNITS_PER_ONE;
    return {
      lastUpdateId: sim.log.lastUpdateId,
      bidPrice: toPrice(bid),
      bidQty: (sim.book.bestLots('bid') * s.stepUnits) / UNITS_PER_ONE,
      askPrice: toPrice(ask),
      askQty: (sim.book.bestLots('ask') * s.stepUnits) / UNITS_PER_ONE,
    };
  }

  /** Returns the number of price levels per side (how deep a full snapshot would be). */
  levelCounts(symbol: string): { bids: number; asks: number } {
    const sim = this.sim(symbol);
    return { bids: sim.book.levelCount('bid'), asks: sim.book.levelCount('ask') };
  }

  /** Returns the retained trades with id > `afterTradeId`, oldest first. */
  tradesSince(symbol: string, afterTradeId: number): SimTrade[] {
    return after(this.sim(symbol).trades, afterTradeId, (t) => t.tradeId);
  }

  /** Returns the retained aggregate trades with id > `afterAggTradeId`, oldest first. */
  aggTradesSince(symbol: string, afterAggTradeId: number): SimAggTrade[] {
    return after(this.sim(symbol).aggTrades, afterAggTradeId, (t) => t.aggTradeId);
  }

  /** Returns the most recent `limit` aggregate trades, oldest first. */
  recentAggTrades(symbol: string, limit: number): SimAggTrade[] {
    const all = this.sim(symbol).aggTrades;
    return all.slice(Math.max(0, all.length - limit));
  }

  /** Returns the last retained trade id (0 when none is retained yet). */
  lastTradeId(symbol: string): number {
    const t = this.sim(symbol).trades;
    return t[t.length - 1]?.tradeId ?? 0;
  }

  /** Returns the last aggregate trade id (0 when none is retained yet). */
  lastAggTradeId(symbol: string): number {
    const t = this.sim(symbol).aggTrades;
    return t[t.length - 1]?.aggTradeId ?? 0;
  }

  private sim(symbol: string): SymbolSim {
    const sim = this.sims.get(symbol);
    if (sim === undefined) throw new UnknownSymbolError(symbol, []);
    return sim;
  }
}
