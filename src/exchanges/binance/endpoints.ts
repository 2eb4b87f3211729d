/**
 * Where each Binance venue lives and what it allows per IP. Sources: BINANCE.md (condensed from
 * binance-spot-api-docs `rest-api.md`, `faqs/market_data_only.md`, binance-us-api-docs `rest-api.md`,
 * developers.binance.com USD-M futures).
 */
import { ConfigError } from '../../errors.js';

/** The Binance venues obi polls. */
export type BinanceExchange = 'binance' | 'binance-us';
/** Spot or USD-M futures. Binance.US has spot only. */
export type BinanceMarket = 'spot' | 'futures';

/** Hosts, paths and limits of one venue. */
export interface BinanceEndpoints {
  readonly exchange: BinanceExchange;
  readonly market: BinanceMarket;
  /** Default REST base URL (no trailing slash). */
  readonly restBaseUrl: string;
  /** Other REST hosts serving the same data. */
  readonly restAlternatives: readonly string[];
  /** Default websocket base URL (a later issue streams from it). */
  readonly wsBaseUrl: string;
  readonly wsAlternatives: readonly string[];
  /** `GET` order-book depth. */
  readonly depthPath: string;
  /** `GET` symbols, their status and the venue's rate limits. */
  readonly exchangeInfoPath: string;
  /** `GET` server time. */
  readonly timePath: string;
  /** `REQUEST_WEIGHT` limit per minute per IP. */
  readonly weightLimitPerMinute: number;
}

const BINANCE_SPOT: BinanceEndpoints = {
  exchange: 'binance',
  market: 'spot',
  // Market-data-only host: never needs a key and serves depth, exchangeInfo and time (market_data_only.md).
  restBaseUrl: 'https://data-api.binance.vision',
  restAlternatives: ['https://api.binance.com'],
  wsBaseUrl: 'wss://data-stream.binance.vision',
  wsAlternatives: ['wss://stream.binance.com:9443'],
  depthPath: '/api/v3/depth',
  exchangeInfoPath: '/api/v3/exchangeInfo',
  timePath: '/api/v3/time',
  weightLimitPerMinute: 6000,
};

const BINANCE_FUTURES: BinanceEndpoints = {
  exchange: 'binance',
  market: 'futures',
  restBaseUrl: 'https://fapi.binance.com',
  restAlternatives: [],
  wsBaseUrl: 'wss://fstream.binance.com',
  wsAlternatives: [],
  depthPath: '/fapi/v1/depth',
  exchangeInfoPath: '/fapi/v1/exchangeInfo',
  timePath: '/fapi/v1/time',
  weightLimitPerMinute: 2400,
};

const BINANCE_US_SPOT: BinanceEndpoints = {
  exchange: 'binance-us',
  market: 'spot',
  restBaseUrl: 'https://api.binance.us',
  restAlternatives: [],
  wsBaseUrl: 'wss://stream.binance.us:9443',
  wsAlternatives: [],
  depthPath: '/api/v3/depth',
  exchangeInfoPath: '/api/v3/exchangeInfo',
  timePath: '/api/v3/time',
  weightLimitPerMinute: 1200,
};

/**
 * Returns the hosts, paths and per-IP weight limit of a venue. Throws ConfigError for a venue that does
 * not exist (Binance.US has no futures).
 */
export function binanceEndpoints(
  exchange: BinanceExchange,
  market: BinanceMarket = 'spot',
): BinanceEndpoints {
  if (exchange === 'binance') return market === 'spot' ? BINANCE_SPOT : BINANCE_FUTURES;
  if (market === 'spot') return BINANCE_US_SPOT;
  throw new ConfigError(`exchange=${exchange} has no ${market} market; use --market spot`, 'market');
}
