/**
 * Request weight of `GET depth` by `limit`, and the limits each venue accepts (BINANCE.md, "REST depth";
 * binance-spot-api-docs rest-api.md "Order book"; binance-us-api-docs rest-api.md; USD-M "Order Book").
 */
import { ConfigError } from '../../errors.js';
import type { BinanceExchange, BinanceMarket } from './endpoints.js';

/** Largest spot depth `limit`; Binance answers larger values with 5000 levels (since 2022-02-24). */
export const MAX_SPOT_DEPTH_LIMIT = 5000;
/** The only `limit` values USD-M futures accepts. */
export const FUTURES_DEPTH_LIMITS: readonly number[] = [5, 10, 20, 50, 100, 500, 1000];

/** Spot bands: upper bound of `limit` → weight, for binance.com and binance.us (same bands, other weights). */
const SPOT_WEIGHT_BANDS: Readonly<
  Record<BinanceExchange, readonly (readonly [maxLimit: number, weight: number])[]>
> = {
  binance: [
    [100, 5],
    [500, 25],
    [1000, 50],
    [5000, 250],
  ],
  'binance-us': [
    [100, 1],
    [500, 5],
    [1000, 10],
    [5000, 50],
  ],
};

/** USD-M: 5–50 → 2, 100 → 5, 500 → 10, 1000 → 20. */
const FUTURES_WEIGHT: ReadonlyMap<number, number> = new Map([
  [5, 2],
  [10, 2],
  [20, 2],
  [50, 2],
  [100, 5],
  [500, 10],
  [1000, 20],
]);

/**
 * Returns the `limit` that will actually be requested: spot accepts any integer ≥ 1 and caps it at 5000
 * as Binance does; futures accepts only {5, 10, 20, 50, 100, 500, 1000}. Throws ConfigError otherwise.
 */
export function normalizeDepthLimit(exchange: BinanceExchange, market: BinanceMarket, limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ConfigError(`depth limit must be a whole number ≥ 1, got ${limit}`, 'depthLimit');
  }
  if (market === 'futures') {
    if (!FUTURES_DEPTH_LIMITS.includes(limit)) {
      throw new ConfigError(
        `exchange=${exchange} futures depth limit must be one of ${FUTURES_DEPTH_LIMITS.join(', ')}, got ${limit}`,
        'depthLimit',
      );
    }
    return limit;
  }
  return Math.min(limit, MAX_SPOT_DEPTH_LIMIT);
}

/** Returns the request weight of one `GET depth` with this `limit` (normalised first, see normalizeDepthLimit). */
export function depthRequestWeight(exchange: BinanceExchange, market: BinanceMarket, limit: number): number {
  const normalized = normalizeDepthLimit(exchange, market, limit);
  if (market === 'futures') {
    const weight = FUTURES_WEIGHT.get(normalized);
    if (weight === undefined)
      throw new ConfigError(`no futures weight for limit ${normalized}`, 'depthLimit');
    return weight;
  }
  for (const [maxLimit, weight] of SPOT_WEIGHT_BANDS[exchange]) {
    if (normalized <= maxLimit) return weight;
  }
  // Unreachable: normalizeDepthLimit caps spot limits at the last band's bound.
  throw new ConfigError(`no spot weight for limit ${normalized}`, 'depthLimit');
}

/**
 * Returns the cheaper depth limits below `limit` as `[limit, weight]`, largest first: the top of each
 * lower weight band on spot, each lower allowed value with a lower weight on futures.
 */
export function cheaperDepthLimits(
  exchange: BinanceExchange,
  market: BinanceMarket,
  limit: number,
): readonly (readonly [limit: number, weight: number])[] {
  const weight = depthRequestWeight(exchange, market, limit);
  const candidates =
    market === 'futures'
      ? [...FUTURES_WEIGHT.keys()]
      : SPOT_WEIGHT_BANDS[exchange].map(([maxLimit]) => maxLimit);
  const out: (readonly [number, number])[] = [];
  let lastWeight = Number.POSITIVE_INFINITY;
  for (const candidate of [...candidates].sort((a, b) => b - a)) {
    const w = depthRequestWeight(exchange, market, candidate);
    // Keep the largest limit of each cheaper weight: it gives the most depth for that price.
    if (w < weight && w < lastWeight) {
      out.push([candidate, w]);
      lastWeight = w;
    }
  }
  return out;
}
