/**
 * Splitting symbols across collectors so that each stays within Binance's limits (BINANCE.md): pure
 * arithmetic, no I/O. One collector is one IP: `REQUEST_WEIGHT` (6000/min on spot) is counted per IP and
 * shared by every request from it, so collectors sharing an IP share one budget.
 *
 * What limits one collector:
 * - poll mode: every symbol costs weight(limit) per request, one request per interval:
 *   symbols × weight × 60000 / intervalMs ≤ budget (weight-budget.ts, the same check `obi collect` makes);
 * - ws mode: the diff stream itself costs no weight, but syncing a book takes one REST snapshot
 *   (BINANCE.md, "How to keep a local order book in sync", step 2). A collector starting (or reconnecting
 *   after its 24-hour connection limit) snapshots all its symbols: symbols × weight ≤ budget × maxSyncMinutes.
 *   Resyncs after gaps cost symbols × weight × resyncsPerSymbolPerHour / 60 per minute, in steady state.
 *   Streams: 1024 per connection, so ⌈streams / 1024⌉ connections; 300 new connections per 5 minutes per IP.
 */
import {
  binanceEndpoints,
  type BinanceExchange,
  type BinanceMarket,
} from '../exchanges/binance/endpoints.js';
import { depthRequestWeight, normalizeDepthLimit } from '../exchanges/binance/request-weight.js';
import {
  checkWeightBudget,
  DEFAULT_WEIGHT_SAFETY_FRACTION,
  WEIGHT_WINDOW_MS,
} from '../exchanges/binance/weight-budget.js';
import { MAX_STREAMS_PER_CONNECTION } from '../exchanges/binance/ws-stream-plan.js';
import { ConfigError } from '../errors.js';

/** New connections per 5 minutes per IP (BINANCE.md, "Websocket market streams", Limits). */
export const MAX_NEW_CONNECTIONS_PER_5_MIN = 300;

/** `obi collect --mode`: `ws` (diff-depth stream, synced by snapshots) or `poll` (REST snapshots). */
export type CollectMode = 'poll' | 'ws';

/** What to plan. */
export interface ShardPlanRequest {
  readonly exchange: BinanceExchange;
  /** @default 'spot' */
  readonly market?: BinanceMarket;
  readonly mode: CollectMode;
  /** In the order given; each lands on exactly one collector. */
  readonly symbols: readonly string[];
  /** How many collectors; absent = the fewest that fit. */
  readonly collectors?: number;
  /** Poll: time between requests. Websocket: the sampling interval (below 1000 ms: the `@100ms` stream). */
  readonly intervalMs: number;
  /** Poll: the `limit` of every request (`--depth-limit`). Ws: the sync snapshot's (`--snapshot-limit`). */
  readonly depthLimit: number;
  /**
   * The IP's `REQUEST_WEIGHT` per minute.
   * @default binanceEndpoints(exchange, market).weightLimitPerMinute
   */
  readonly weightLimitPerMinute?: number;
  /**
   * Planned usage may take at most this fraction of the limit (the rest is headroom for retries, other
   * requests and clock skew at the minute boundary).
   * @default 0.8
   */
  readonly safetyFraction?: number;
  /**
   * Websocket: streams per symbol (1 = depth; 2 = depth and trades).
   * @default 1
   */
  readonly streamsPerSymbol?: number;
  /**
   * Websocket: the longest a collector may take to snapshot all its symbols after it starts or reconnects.
   * @default 5
   */
  readonly maxSyncMinutes?: number;
  /**
   * Websocket: resyncs per symbol per hour in steady state (gaps, 24-hour reconnects).
   * @default 1
   */
  readonly resyncsPerSymbolPerHour?: number;
  /** A cap from the machine (CPU, bandwidth) rather than from Binance; absent = none. */
  readonly maxSymbolsPerCollector?: number;
}

/** Why one collector cannot take more symbols. */
export type PlanLimit = 'weight' | 'sync' | 'resync' | 'machine';

/** One collector's share. */
export interface CollectorShard {
  /** 1-based. */
  readonly index: number;
  readonly symbols: readonly string[];
  /** Websocket connections (0 in poll mode). */
  readonly connections: number;
  readonly streams: number;
  /** Planned weight per minute in steady state. */
  readonly steadyWeightPerMinute: number;
  /** Websocket: weight of snapshotting every symbol once (0 in poll mode). */
  readonly syncWeight: number;
  /** Websocket: minutes that sync takes within the budget (0 in poll mode). */
  readonly syncMinutes: number;
}

/** The plan and its arithmetic. */
export interface ShardPlan {
  readonly exchange: BinanceExchange;
  readonly market: BinanceMarket;
  readonly mode: CollectMode;
  readonly intervalMs: number;
  readonly depthLimit: number;
  readonly weightPerRequest: number;
  readonly weightLimitPerMinute: number;
  readonly budgetPerMinute: number;
  readonly safetyFraction: number;
  readonly streamsPerSymbol: number;
  readonly maxSyncMinutes: number;
  readonly resyncsPerSymbolPerHour: number;
  /** Most symbols one collector can take, and what bounds it. */
  readonly capacityPerCollector: number;
  readonly limitedBy: PlanLimit;
  /** The fewest collectors that fit all symbols. */
  readonly minCollectors: number;
  readonly collectors: readonly CollectorShard[];
}

function positive(value: number, what: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new ConfigError(`${what} must be > 0 (got ${value})`, what);
  return value;
}

/** Returns sizes of `n` items split into `k` contiguous parts that differ by at most one, larger first. */
export function balancedSizes(n: number, k: number): number[] {
  const base = Math.floor(n / k);
  const extra = n % k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Returns the plan: how many symbols one collector can take, the fewest collectors, and each collector's
 * symbols and usage. Throws ConfigError when even one symbol does not fit one collector (poll too fast),
 * or when `collectors` is fewer than the fewest that fit (the message says how many do).
 */
export function planShards(r: ShardPlanRequest): ShardPlan {
  const market = r.market ?? 'spot';
  const symbols = [...new Set(r.symbols)];
  if (symbols.length === 0) throw new ConfigError('plan needs at least one symbol', 'symbols');
  positive(r.intervalMs, 'interval');
  const depthLimit = normalizeDepthLimit(r.exchange, market, r.depthLimit);
  const weight = depthRequestWeight(r.exchange, market, depthLimit);
  const weightLimitPerMinute =
    r.weightLimitPerMinute ?? binanceEndpoints(r.exchange, market).weightLimitPerMinute;
  positive(weightLimitPerMinute, 'weightLimitPerMinute');
  const safetyFraction = r.safetyFraction ?? DEFAULT_WEIGHT_SAFETY_FRACTION;
  if (!(safetyFraction > 0 && safetyFraction <= 1)) {
    throw new ConfigError(`safety fraction must be in (0, 1], got ${safetyFraction}`, 'safetyFraction');
  }
  const budget = weightLimitPerMinute * safetyFraction;
  const streamsPerSymbol = r.mode === 'ws' ? positive(r.streamsPerSymbol ?? 1, 'streamsPerSymbol') : 0;
  const maxSyncMinutes = positive(r.maxSyncMinutes ?? 5, 'maxSyncMinutes');
  const resyncs = r.resyncsPerSymbolPerHour ?? 1;
  if (!(resyncs >= 0) || !Number.isFinite(resyncs)) {
    throw new ConfigError(
      `resyncs per symbol per hour must be ≥ 0 (got ${resyncs})`,
      'resyncsPerSymbolPerHour',
    );
  }

  // Capacity of one collector (one IP), and which limit binds.
  const bounds: [PlanLimit, number][] = [];
  if (r.mode === 'poll') {
    const perSymbolPerMinute = (weight * WEIGHT_WINDOW_MS) / r.intervalMs;
    bounds.push(['weight', Math.floor(budget / perSymbolPerMinute + 1e-9)]);
  } else {
    bounds.push(['sync', Math.floor((budget * maxSyncMinutes) / weight + 1e-9)]);
    if (resyncs > 0) bounds.push(['resync', Math.floor((budget * 60) / (weight * resyncs) + 1e-9)]);
  }
  if (r.maxSymbolsPerCollector !== undefined) {
    bounds.push(['machine', Math.floor(positive(r.maxSymbolsPerCollector, 'maxSymbolsPerCollector'))]);
  }
  let [limitedBy, capacity] = bounds[0] as [PlanLimit, number];
  for (const [why, cap] of bounds) if (cap < capacity) [limitedBy, capacity] = [why, cap];
  if (capacity < 1) {
    const fastestMs = checkWeightBudget({
      exchange: r.exchange,
      market,
      symbolCount: 1,
      depthLimit,
      intervalMs: r.intervalMs,
      weightLimitPerMinute,
      safetyFraction,
    }).fastestIntervalMs;
    throw new ConfigError(
      r.mode === 'poll'
        ? `one symbol polled every ${r.intervalMs} ms at limit ${depthLimit} (weight ${weight}) takes ` +
            `${((weight * WEIGHT_WINDOW_MS) / r.intervalMs).toFixed(0)}/min, more than one IP's budget of ` +
            `${budget}/min; poll every ${fastestMs} ms or slower, or use --mode ws`
        : `one snapshot of limit ${depthLimit} (weight ${weight}) does not fit ${maxSyncMinutes} min of ${budget}/min`,
      'interval',
    );
  }
  const minCollectors = Math.ceil(symbols.length / capacity);
  const count = Math.min(r.collectors ?? minCollectors, symbols.length);
  if (r.collectors !== undefined) {
    if (!Number.isInteger(r.collectors) || r.collectors < 1) {
      throw new ConfigError(`collectors must be a whole number ≥ 1 (got ${r.collectors})`, 'collectors');
    }
    if (r.collectors < minCollectors) {
      throw new ConfigError(
        `${symbols.length} symbols need at least ${minCollectors} collectors (one IP each): one collector ` +
          `takes at most ${capacity} (${limitedBy} limit); got --collectors ${r.collectors}`,
        'collectors',
      );
    }
  }

  const shards: CollectorShard[] = [];
  let at = 0;
  for (const [i, size] of balancedSizes(symbols.length, count).entries()) {
    const mine = symbols.slice(at, at + size);
    at += size;
    const streams = mine.length * streamsPerSymbol;
    const connections = r.mode === 'ws' ? Math.ceil(streams / MAX_STREAMS_PER_CONNECTION) : 0;
    if (connections > MAX_NEW_CONNECTIONS_PER_5_MIN) {
      throw new ConfigError(
        `collector ${i + 1} would open ${connections} connections, more than the ${MAX_NEW_CONNECTIONS_PER_5_MIN} ` +
          'new connections per 5 minutes one IP may open; use more collectors',
        'collectors',
      );
    }
    const syncWeight = r.mode === 'ws' ? mine.length * weight : 0;
    shards.push({
      index: i + 1,
      symbols: mine,
      connections,
      streams,
      steadyWeightPerMinute:
        r.mode === 'poll'
          ? (mine.length * weight * WEIGHT_WINDOW_MS) / r.intervalMs
          : (mine.length * weight * resyncs) / 60,
      syncWeight,
      syncMinutes: syncWeight / budget,
    });
  }
  return {
    exchange: r.exchange,
    market,
    mode: r.mode,
    intervalMs: r.intervalMs,
    depthLimit,
    weightPerRequest: weight,
    weightLimitPerMinute,
    budgetPerMinute: budget,
    safetyFraction,
    streamsPerSymbol,
    maxSyncMinutes,
    resyncsPerSymbolPerHour: resyncs,
    capacityPerCollector: capacity,
    limitedBy,
    minCollectors,
    collectors: shards,
  };
}
