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
 * Returns exchangeInfo restricted to `symbols` when the venue supports that (spot), else the full list.
 * Throws what BinanceRestClient.get throws (UnknownSymbolError when a requested symbol does not exist).
 */
export async function fetchExchangeInfo(
  client: BinanceRestClient,
  endpoints: BinanceEndpoints,
  symbols?: readonly string[],
  signal?: AbortSignal,
): Promise<ExchangeInfo> {
  // Spot accepts symbols=["A","B"] (much smaller than the full list); USD-M does not filter.
  const query =
    symbols !== undefined && symbols.length > 0 && endpoints.market === 'spot'
      ? { symbols: JSON.stringify(symbols) }
      : {};
  const response = await client.get(
    endpoints.exchangeInfoPath,
    query,
    signal !== undefined ? { signal } : {},
  );
  return parseExchangeInfo(response.body, response.url);
}

/**
 * Returns exchangeInfo after checking that every symbol exists and is TRADING (see checkSymbols). Asks for the
 * requested symbols only; when the venue says one is unknown, fetches the full list to suggest close matches.
 */
export async function validateSymbols(
  client: BinanceRestClient,
  endpoints: BinanceEndpoints,
  symbols: readonly string[],
  signal?: AbortSignal,
): Promise<ExchangeInfo> {
  const venue = `${endpoints.exchange} ${endpoints.market}`;
  let filtered = endpoints.market === 'spot' && symbols.length > 0;
  let info: ExchangeInfo;
  try {
    info = await fetchExchangeInfo(client, endpoints, symbols, signal);
  } catch (error) {
    // -1121 for an unknown symbol, -1100 (HTTP 400) for characters a symbol cannot have: either way the
    // full list is needed to say what was meant.
    const rejected =
      error instanceof UnknownSymbolError || (error instanceof HttpError && error.status === 400);
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
