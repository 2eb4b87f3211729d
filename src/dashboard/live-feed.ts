/**
 * A live source feeding the dashboard: REST polling (`pollDepth`) → samples → book tap → feature rows →
 * dashboard, what `obi serve` runs. Rows leave `computeRows` as soon as their labels allow; with no forward
 * horizons (the library default) that is one sample late, so the page stays close to live.
 */
import { pollDepth } from '../exchanges/binance/rest-poller.js';
import type { BinanceExchange, BinanceMarket } from '../exchanges/binance/endpoints.js';
import type { FeatureRow } from '../core/row/feature-row.js';
import { viewDepth, type FeatureOptions } from '../options.js';
import { computeRows } from '../pipeline/compute-rows.js';
import { sampleSnapshots } from '../pipeline/snapshot-sampler.js';
import { tapBooks, type BookPublisher } from './book-tap.js';
import type { Row } from '../io/sinks/row-sink.js';

/** Where the feed goes (a DashboardServer). */
export interface LiveDashboard extends BookPublisher {
  publishRow(row: Row): void;
  end(): void;
}

/** Options of {@link feedDashboardByPolling}. */
export interface PollingFeedOptions {
  readonly dashboard: LiveDashboard;
  /** REST base URL, e.g. the simulator's `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  readonly symbols: readonly string[];
  readonly features: FeatureOptions;
  /** @default 'binance' */
  readonly exchange?: BinanceExchange;
  /** @default 'spot' */
  readonly market?: BinanceMarket;
  /**
   * Levels requested per poll.
   * @default max(20, the deepest feature), at most 100 (the cheapest weight band)
   */
  readonly depthLimit?: number;
  /** Stops the feed (the current tick finishes). */
  readonly signal?: AbortSignal;
  /** Run length; `undefined` = until aborted. */
  readonly durationMs?: number;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** Called after each row reaches the dashboard. */
  readonly onRow?: (row: FeatureRow) => void;
}

/** Polls until aborted (or the duration ends), feeding books and rows to the dashboard; returns the row count. */
export async function feedDashboardByPolling(o: PollingFeedOptions): Promise<number> {
  const depth = viewDepth(o.features);
  const events = pollDepth({
    exchange: o.exchange ?? 'binance',
    market: o.market ?? 'spot',
    baseUrl: o.baseUrl,
    symbols: o.symbols,
    intervalMs: o.features.intervalSec * 1000,
    depthLimit: o.depthLimit ?? Math.min(100, Math.max(20, depth)),
    timeoutMs: o.timeoutMs ?? 5000,
    ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  });
  let rows = 0;
  try {
    for await (const row of computeRows(tapBooks(sampleSnapshots(events, depth), o.dashboard), o.features)) {
      o.dashboard.publishRow(row);
      rows++;
      o.onRow?.(row);
    }
  } finally {
    o.dashboard.end();
  }
  return rows;
}
