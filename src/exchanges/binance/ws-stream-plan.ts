/**
 * Which diff-depth streams go on which websocket connection, and how each connection asks for them.
 * Pure: symbols and limits in, connection plans out.
 *
 * Binance limits (BINANCE.md, "Websocket market streams"): at most 1024 streams per connection; a combined
 * stream is `/stream?streams=<s1>/<s2>/…`; more streams can be added with
 * `{"method":"SUBSCRIBE","params":[…],"id":n}`, and every such message counts towards the 5 incoming control
 * messages per second. A URL holding 1024 names would be ~25 KB, more than many HTTP front ends accept, so a
 * plan puts names in the URL up to `maxUrlLength` and subscribes the rest in batches.
 */
import { ConfigError } from '../../errors.js';
import type { BinanceMarket } from './endpoints.js';

/** Binance's cap on streams per connection. */
export const MAX_STREAMS_PER_CONNECTION = 1024;
/** Longest URL a plan builds; the rest of a connection's streams are subscribed by message. */
export const DEFAULT_MAX_URL_LENGTH = 4000;
/** Most stream names in one SUBSCRIBE message (keeps each control message a few KB). */
export const DEFAULT_STREAMS_PER_SUBSCRIBE = 200;

/** Update speeds of the diff-depth stream: spot `@depth` (1000 ms) or `@depth@100ms`; USD-M also 250 (the default) and 500 ms. */
export type DiffStreamSpeed = '100ms' | '250ms' | '500ms' | '1000ms';

/** Options of {@link planStreams}. */
export interface StreamPlanOptions {
  readonly market: BinanceMarket;
  /** e.g. `wss://data-stream.binance.vision` (no trailing slash needed). */
  readonly wsBaseUrl: string;
  /** @default '100ms' */
  readonly speed?: DiffStreamSpeed;
  /**
   * Streams per connection, at most 1024.
   * @default 1024
   */
  readonly maxStreamsPerConnection?: number;
  /** @default 4000 */
  readonly maxUrlLength?: number;
  /** @default 200 */
  readonly streamsPerSubscribe?: number;
  /** Also carry each symbol's `<symbol>@aggTrade` stream (two streams per symbol). @default false */
  readonly trades?: boolean;
}

/** One connection: its symbols, the URL to open and the SUBSCRIBE batches to send once it is open. */
export interface ConnectionPlan {
  /** Upper-case symbols, in the order given. */
  readonly symbols: readonly string[];
  /** Stream names: each symbol's diff-depth stream (then its aggTrade stream, with trades). */
  readonly streams: readonly string[];
  /** The combined-stream URL carrying the first streams. */
  readonly url: string;
  /** The remaining streams, one SUBSCRIBE message per batch. */
  readonly subscribeBatches: readonly (readonly string[])[];
}

/**
 * Returns the diff-depth stream name of a symbol: `btcusdt@depth@100ms`. Spot serves 100 and 1000 ms;
 * USD-M serves 100, 250 (plain `@depth`) and 500 ms. Throws ConfigError for a speed the market lacks.
 */
export function diffStreamName(
  symbol: string,
  market: BinanceMarket,
  speed: DiffStreamSpeed = '100ms',
): string {
  const s = symbol.toLowerCase();
  if (market === 'spot') {
    if (speed === '1000ms') return `${s}@depth`;
    if (speed === '100ms') return `${s}@depth@100ms`;
  } else {
    if (speed === '250ms') return `${s}@depth`;
    if (speed === '100ms' || speed === '500ms') return `${s}@depth@${speed}`;
  }
  throw new ConfigError(`${market} diff-depth streams have no ${speed} speed`, 'speed');
}

/** Returns `<base>/stream?streams=a/b/c` (names are URL-safe: lower-case letters, digits, `@`). */
export function combinedStreamUrl(wsBaseUrl: string, streams: readonly string[]): string {
  return `${wsBaseUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
}

/**
 * Returns the connections that carry one diff-depth stream per symbol (and its aggTrade stream with
 * `trades`), each within the limits.
 */
export function planStreams(symbols: readonly string[], options: StreamPlanOptions): ConnectionPlan[] {
  const perConnection = options.maxStreamsPerConnection ?? MAX_STREAMS_PER_CONNECTION;
  if (!Number.isInteger(perConnection) || perConnection < 1 || perConnection > MAX_STREAMS_PER_CONNECTION) {
    throw new ConfigError(
      `streams per connection must be a whole number from 1 to ${MAX_STREAMS_PER_CONNECTION}, got ${perConnection}`,
      'maxStreamsPerConnection',
    );
  }
  const perSubscribe = options.streamsPerSubscribe ?? DEFAULT_STREAMS_PER_SUBSCRIBE;
  if (!Number.isInteger(perSubscribe) || perSubscribe < 1) {
    throw new ConfigError(`streams per SUBSCRIBE must be ≥ 1, got ${perSubscribe}`, 'streamsPerSubscribe');
  }
  const maxUrl = options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
  const unique = [...new Set(symbols.map((s) => s.toUpperCase()))];
  if (unique.length === 0) throw new ConfigError('give at least one symbol, e.g. BTCUSDT', 'symbols');
  const perSymbol = options.trades === true ? 2 : 1;
  const symbolsPerConnection = Math.floor(perConnection / perSymbol);
  if (symbolsPerConnection < 1) {
    throw new ConfigError(
      `${perConnection} stream per connection cannot carry a symbol's depth and trades`,
      'maxStreamsPerConnection',
    );
  }
  const plans: ConnectionPlan[] = [];
  for (let start = 0; start < unique.length; start += symbolsPerConnection) {
    const group = unique.slice(start, start + symbolsPerConnection);
    const streams = group.flatMap((s) => {
      const depth = diffStreamName(s, options.market, options.speed);
      return perSymbol === 2 ? [depth, `${s.toLowerCase()}@aggTrade`] : [depth];
    });
    // At least one stream always goes in the URL, so a connection is never opened empty.
    let inUrl = 1;
    let length = combinedStreamUrl(options.wsBaseUrl, streams.slice(0, 1)).length;
    while (inUrl < streams.length && length + 1 + (streams[inUrl] as string).length <= maxUrl) {
      length += 1 + (streams[inUrl] as string).length;
      inUrl++;
    }
    const rest = streams.slice(inUrl);
    const batches: string[][] = [];
    for (let i = 0; i < rest.length; i += perSubscribe) batches.push(rest.slice(i, i + perSubscribe));
    plans.push({
      symbols: group,
      streams,
      url: combinedStreamUrl(options.wsBaseUrl, streams.slice(0, inUrl)),
      subscribeBatches: batches,
    });
  }
  return plans;
}
