/**
 * Symbol validation at start-up from `GET /api/v3/exchangeInfo` (`/fapi/v1/exchangeInfo` on USD-M): a typo
 * fails at once with suggestions instead of a stream of -1121 errors, and a halted market says so
 * (binance-spot-api-docs rest-api.md "Exchange information", enums.md "Symbol status").
 */
import { ConfigError, HttpError, ParseError, UnknownSymbolError } from '../../errors.js';
import type { BinanceEndpoints } from './endpoints.js';
import type { BinanceRestClient } from './rest-client.js';

/** What obi needs to know about one symbol. */
export interface SymbolInfo {
  readonly symbol: string;
  /** `TRADING`, `HALT`, `BREAK`, … */
  readonly status: string;
  /** PRICE_FILTER `tickSize`, or null when absent. */
  readonly tickSize: string | null;
}

/** The parts of exchangeInfo obi uses. */
export interface ExchangeInfo {
  readonly symbols: ReadonlyMap<string, SymbolInfo>;
  /** The `REQUEST_WEIGHT` limit per one minute from `rateLimits`, or null when not listed. */
  readonly weightLimitPerMinute: number | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns the symbols and weight limit of an exchangeInfo body. Throws ParseError when it has no `symbols` array. */
export function parseExchangeInfo(body: unknown, source: string): ExchangeInfo {
  if (!isRecord(body) || !Array.isArray(body['symbols'])) {
    throw new ParseError('exchangeInfo body has no "symbols" array', source);
  }
  const symbols = new Map<string, SymbolInfo>();
  for (const entry of body['symbols'] as unknown[]) {
    if (!isRecord(entry)) continue;
    const symbol = entry['symbol'];
    if (typeof symbol !== 'string') continue;
    const status = typeof entry['status'] === 'string' ? entry['status'] : 'UNKNOWN';
    let tickSize: string | null = null;
    const filters = entry['filters'];
    if (Array.isArray(filters)) {
      for (const filter of filters as unknown[]) {
        if (
          isRecord(filter) &&
          filter['filterType'] === 'PRICE_FILTER' &&
          typeof filter['tickSize'] === 'string'
        ) {
          tickSize = filter['tickSize'];
        }
      }
    }
    symbols.set(symbol, { symbol, status, tickSize });
  }
  let weightLimitPerMinute: number | null = null;
  const limits = body['rateLimits'];
  if (Array.isArray(limits)) {
    for (const limit of limits as unknown[]) {
      if (
        isRecord(limit) &&
        limit['rateLimitType'] === 'REQUEST_WEIGHT' &&
        limit['interval'] === 'MINUTE' &&
        limit['intervalNum'] === 1 &&
        typeof limit['limit'] === 'number'
      ) {
        weightLimitPerMinute = limit['limit'];
      }
    }
  }
  return { symbols, weightLimitPerMinute };
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (BTCUSTD → BTCUSDT is 1). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Largest edit distance still suggested. */
const MAX_SUGGESTION_DISTANCE = 2;

/**
 * Returns up to `max` known symbols close to `symbol`: within edit distance 2 (closest first), then symbols
 * that start with it (shortest first), e.g. BTCUSD → BTCUSDT, BTC → BTCUSDT.
 */
export function suggestSymbols(symbol: string, known: Iterable<string>, max = 3): string[] {
  const wanted = symbol.toUpperCase();
  const scored: { symbol: string; score: number }[] = [];
  for (const candidate of known) {
    if (candidate === wanted) continue;
    const distance = editDistance(wanted, candidate);
    if (distance <= MAX_SUGGESTION_DISTANCE) scored.push({ symbol: candidate, score: distance });
    else if (candidate.startsWith(wanted))
      scored.push({ symbol: candidate, score: MAX_SUGGESTION_DISTANCE + 1 });
  }
  scored.sort(
    (x, y) =>
      x.score - y.score ||
      Math.abs(x.symbol.length - wanted.length) - Math.abs(y.symbol.length - wanted.length) ||
      (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0),
  );
  return scored.slice(0, max).map((s) => s.symbol);
}

/**
 * Returns the info of each requested symbol, in order. Throws UnknownSymbolError (with suggestions) for the
 * first symbol the venue does not list, ConfigError for one whose status is not TRADING.
 */
export function checkSymbols(requested: readonly string[], info: ExchangeInfo, venue: string): SymbolInfo[] {
  return requested.map((symbol) => {
    const found = info.symbols.get(symbol);
    if (found === undefined)
      throw new UnknownSymbolError(symbol, suggestSymbols(symbol, info.symbols.keys()));
    if (found.status !== 'TRADING') {
      throw new ConfigError(
        `symbol=${symbol} on ${venue} has status ${found.status}, not TRADING: its order book is not live`,
        'symbols',
      );
    }
    return found;
  });
}

/**
 * Most symbols named in one `symbols=[…]` query. A Binance symbol has at most 20 characters
 * (`^[A-Z0-9-_.]{1,20}$`, errors.md -1100); form-encoded with its quotes and comma (`%22…%22%2C`) it takes at
 * most 29 bytes, so 100 symbols make a query of at most ~2.9 KB. That stays well under the 8 KB request line
 * HTTP front ends commonly accept (nginx's default header buffer, CloudFront's URL limit), with room for the
 * host and path; 1000 symbols (~16 KB) do not fit and are answered 431/414 before Binance sees them.
 */
export const MAX_SYMBOLS_PER_EXCHANGE_INFO_QUERY = 100;

/**
 * Request weight of one spot `GET /api/v3/exchangeInfo`: 20 whatever the parameters, the whole list or a
 * `symbols=[…]` filter alike (binance-spot-api-docs rest-api.md "Exchange information": Weight 20).
 */
export const SPOT_EXCHANGE_INFO_WEIGHT = 20;

/** What fetching exchangeInfo costs on a venue. */
export interface ExchangeInfoCosts {
  /** Whether the venue accepts a `symbols=[…]` filter (spot does, USD-M does not). */
  readonly filterable: boolean;
  /** Weight of one filtered request. */
  readonly filteredWeight: number;
  /** Weight of one request for the whole list. */
  readonly fullWeight: number;
  /** Most symbols per filtered request (keeps the URL short). */
  readonly maxSymbolsPerQuery: number;
}

/** How to fetch exchangeInfo for a set of symbols. */
export type ExchangeInfoPlan =
  | { readonly kind: 'full'; readonly weight: number }
  | { readonly kind: 'filtered'; readonly chunks: readonly (readonly string[])[]; readonly weight: number };

/** Returns what fetching exchangeInfo costs on this venue. */
export function exchangeInfoCosts(endpoints: BinanceEndpoints): ExchangeInfoCosts {
  return endpoints.market === 'spot'
    ? {
        filterable: true,
        filteredWeight: SPOT_EXCHANGE_INFO_WEIGHT,
        fullWeight: SPOT_EXCHANGE_INFO_WEIGHT,
        maxSymbolsPerQuery: MAX_SYMBOLS_PER_EXCHANGE_INFO_QUERY,
      }
    : // USD-M /fapi/v1/exchangeInfo takes no symbol filter and weighs 1.
      { filterable: false, filteredWeight: 1, fullWeight: 1, maxSymbolsPerQuery: 0 };
}

/**
 * Returns the cheapest way to learn about `symbols` (duplicates ignored): `symbols=[…]` queries of at most
 * `maxSymbolsPerQuery` names when their total weight is no more than the whole list's (a tie goes to the
 * filter, whose answer is smaller), else the whole list once. With spot's one weight for every form this is
 * a single filtered query up to 100 symbols and the whole list above.
 */
export function planExchangeInfo(symbols: readonly string[], costs: ExchangeInfoCosts): ExchangeInfoPlan {
  const unique = [...new Set(symbols)];
  const full = { kind: 'full', weight: costs.fullWeight } as const;
  if (!costs.filterable || unique.length === 0 || costs.maxSymbolsPerQuery < 1) return full;
  const count = Math.ceil(unique.length / costs.maxSymbolsPerQuery);
  const weight = count * costs.filteredWeight;
  if (weight > costs.fullWeight) return full;
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += costs.maxSymbolsPerQuery) {
    chunks.push(unique.slice(i, i + costs.maxSymbolsPerQuery));
  }
  return { kind: 'filtered', chunks, weight };
}

/**
 * Returns exchangeInfo covering `symbols` at the least weight (see planExchangeInfo), or the whole list
 * when `symbols` is absent or empty. Throws what BinanceRestClient.get throws (UnknownSymbolError when a
 * requested symbol does not exist).
 */
export async function fetchExchangeInfo(
  client: BinanceRestClient,
  endpoints: BinanceEndpoints,
  symbols?: readonly string[],
  signal?: AbortSignal,
): Promise<ExchangeInfo> {
  const options = signal !== undefined ? { signal } : {};
  const plan = planExchangeInfo(symbols ?? [], exchangeInfoCosts(endpoints));
  if (plan.kind === 'full') {
    const response = await client.get(endpoints.exchangeInfoPath, {}, options);
    return parseExchangeInfo(response.body, response.url);
  }
  const found = new Map<string, SymbolInfo>();
  let weightLimitPerMinute: number | null = null;
  // One after another: a few requests at most, and a rejection stops the rest.
  for (const chunk of plan.chunks) {
    const response = await client.get(
      endpoints.exchangeInfoPath,
      { symbols: JSON.stringify(chunk) },
      options,
    );
    const info = parseExchangeInfo(response.body, response.url);
    for (const [symbol, entry] of info.symbols) found.set(symbol, entry);
    weightLimitPerMinute ??= info.weightLimitPerMinute;
  }
  return { symbols: found, weightLimitPerMinute };
}

/**
 * Returns exchangeInfo after checking that every symbol exists and is TRADING (see checkSymbols). Asks for the
 * requested symbols at the least weight (see planExchangeInfo); when the venue says one is unknown, fetches
 * the full list to suggest close matches.
 */
export async function validateSymbols(
  client: BinanceRestClient,
  endpoints: BinanceEndpoints,
  symbols: readonly string[],
  signal?: AbortSignal,
): Promise<ExchangeInfo> {
  const venue = `${endpoints.exchange} ${endpoints.market}`;
  let filtered = planExchangeInfo(symbols, exchangeInfoCosts(endpoints)).kind === 'filtered';
  let info: ExchangeInfo;
  try {
    info = await fetchExchangeInfo(client, endpoints, symbols, signal);
  } catch (error) {
    // -1121 for an unknown symbol, -1100 (HTTP 400) for characters a symbol cannot have: either way the
    // full list is needed to say what was meant. 414/431: a proxy on the way allows shorter URLs than
    // MAX_SYMBOLS_PER_EXCHANGE_INFO_QUERY assumes; the full list needs no query at all.
    const rejected =
      error instanceof UnknownSymbolError ||
      (error instanceof HttpError && (error.status === 400 || error.status === 414 || error.status === 431));
    if (!rejected || !filtered) throw error;
    info = await fetchExchangeInfo(client, endpoints, undefined, signal);
    filtered = false;
  }
  if (filtered && symbols.some((s) => !info.symbols.has(s))) {
    const full = await fetchExchangeInfo(client, endpoints, undefined, signal);
    info = {
      symbols: full.symbols,
      weightLimitPerMinute: info.weightLimitPerMinute ?? full.weightLimitPerMinute,
    };
  }
  checkSymbols(symbols, info, venue);
  return info;
}
