/**
 * REST depth snapshots for the websocket books, asked for one symbol at a time and sent within the IP's
 * weight budget (BINANCE.md, "REST depth": `REQUEST_WEIGHT` 6000/min per IP on spot, 2400 on USD-M,
 * shared by everything on that IP; 429 → wait Retry-After; 418 → the IP is banned, stop sending).
 *
 * - Requests for a symbol already queued or in flight are merged: the answer serves them all.
 * - A request goes out only when (a) the weight this scheduler spent in the last 60 s plus this request
 *   stays within `safetyFraction` of the limit, and (b) the latest `X-MBX-USED-WEIGHT-1M` plus the weight in
 *   flight stays under pacingDelayMs' threshold (other processes share the IP). Books wait; the IP is never
 *   pushed into 429s.
 * - Syncing snapshots go before refreshes and staleness checks.
 * - 5xx, timeouts, network and parse errors retry that symbol with exponential backoff and full jitter;
 *   429 pauses every request until Retry-After; 418 pauses until the ban ends; an unknown symbol or any other
 *   4xx would fail the same way forever, so it is reported as fatal.
 */
import type { BookSnapshot } from '../../events.js';
import { HttpError, IpBannedError, RateLimitError, UnknownSymbolError } from '../../errors.js';
import { backoffDelayMs, type BackoffPolicy } from '../../net/backoff.js';
import type { SnapshotReason } from '../../pipeline/diff-book-keeper.js';
import type { BinanceMarket } from './endpoints.js';
import { parseRestDepth } from './parse.js';
import type { BinanceResponse, BinanceRestClient } from './rest-client.js';
import { DEFAULT_WEIGHT_SAFETY_FRACTION, pacingDelayMs, WEIGHT_WINDOW_MS } from './weight-budget.js';
import type { UsedWeightObservation } from './weight-budget.js';
import { RateWindow } from './ws-rate-window.js';

/** Default of {@link SnapshotSchedulerOptions.maxInFlight}. */
export const DEFAULT_SNAPSHOTS_IN_FLIGHT = 4;
/** Default of {@link SnapshotSchedulerOptions.tooOldDelayMs}. */
export const DEFAULT_TOO_OLD_DELAY_MS = 250;

/** Options of a {@link SnapshotScheduler}. */
export interface SnapshotSchedulerOptions {
  readonly client: BinanceRestClient;
  /** `/api/v3/depth` or `/fapi/v1/depth`. */
  readonly depthPath: string;
  readonly exchange: string;
  readonly market: BinanceMarket;
  /** The `limit` sent (already normalised for the venue). */
  readonly limit: number;
  /** Request weight of one snapshot at that limit. */
  readonly weight: number;
  /** The IP's REQUEST_WEIGHT per minute. */
  readonly weightLimitPerMinute: number;
  /** @default 0.8 */
  readonly safetyFraction?: number;
  /** @default 4 */
  readonly maxInFlight?: number;
  /** Per-request timeout. @default the client's */
  readonly timeoutMs?: number;
  /** @default { baseMs: 250, maxMs: 10000 } */
  readonly backoff?: BackoffPolicy;
  /** A refetch after a snapshot was older than the stream waits this long (REST lags the stream). @default 250 */
  readonly tooOldDelayMs?: number;
  readonly now: () => number;
  readonly random: () => number;
  /** A snapshot arrived: the parsed event and the body as received. */
  readonly onSnapshot: (snapshot: BookSnapshot, body: unknown, response: BinanceResponse) => void;
  /** A request failed; `retryInMs` is null when it will not be retried (fatal). */
  readonly onFailure?: (symbol: string, error: unknown, retryInMs: number | null) => void;
}

/** Counters for progress lines and tests. */
export interface SnapshotSchedulerStats {
  sent: number;
  received: number;
  failed: number;
  /** Weight spent by this scheduler in the last minute. */
  weightLastMinute: number;
  /** The latest X-MBX-USED-WEIGHT-1M. */
  usedWeight1m: number | null;
  lastLatencyMs: number | null;
  /** No request before this time (429 or 418), or null. */
  pausedUntilMs: number | null;
}

interface Entry {
  readonly symbol: string;
  reason: SnapshotReason;
  notBeforeMs: number;
  attempt: number;
}

function urgent(reason: SnapshotReason): boolean {
  return reason === 'sync' || reason === 'too-old';
}

export class SnapshotScheduler {
  readonly stats: SnapshotSchedulerStats = {
    sent: 0,
    received: 0,
    failed: 0,
    weightLastMinute: 0,
    usedWeight1m: null,
    lastLatencyMs: null,
    pausedUntilMs: null,
  };
  private readonly queue = new Map<string, Entry>();
  private readonly inFlight = new Set<string>();
  private spent: RateWindow;
  private readonly stop = new AbortController();
  private observed: UsedWeightObservation | null = null;
  private inFlightWeight = 0;
  private pausedUntilMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private closed = false;
  private weightLimitPerMinute: number;

  constructor(private readonly o: SnapshotSchedulerOptions) {
    this.weightLimitPerMinute = o.weightLimitPerMinute;
    const fraction = o.safetyFraction ?? DEFAULT_WEIGHT_SAFETY_FRACTION;
    this.spent = new RateWindow(o.weightLimitPerMinute * fraction, WEIGHT_WINDOW_MS);
  }

  /** Uses another per-minute weight limit from now on (e.g. the one exchangeInfo states). */
  setWeightLimit(weightLimitPerMinute: number): void {
    const fraction = this.o.safetyFraction ?? DEFAULT_WEIGHT_SAFETY_FRACTION;
    const next = new RateWindow(weightLimitPerMinute * fraction, WEIGHT_WINDOW_MS);
    const nowMs = this.o.now();
    const used = this.spent.used(nowMs);
    if (used > 0) next.record(nowMs, used);
    this.spent = next;
    this.weightLimitPerMinute = weightLimitPerMinute;
  }

  /** Returns how many symbols wait for or are fetching a snapshot. */
  get pending(): number {
    return this.queue.size + this.inFlight.size;
  }

  /** Asks for a snapshot of `symbol`; merged with one already queued or in flight. */
  request(symbol: string, reason: SnapshotReason): void {
    if (this.closed || this.inFlight.has(symbol)) return;
    const existing = this.queue.get(symbol);
    const notBeforeMs =
      reason === 'too-old' ? this.o.now() + (this.o.tooOldDelayMs ?? DEFAULT_TOO_OLD_DELAY_MS) : 0;
    if (existing !== undefined) {
      if (urgent(reason) && !urgent(existing.reason)) existing.reason = reason;
      return;
    }
    this.queue.set(symbol, { symbol, reason, notBeforeMs, attempt: 0 });
    this.pump();
  }

  /** Cancels what is queued and in flight; no callback runs afterwards. */
  close(): void {
    this.closed = true;
    this.stop.abort(new Error('snapshot scheduler closed'));
    this.queue.clear();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.closed) return;
    const maxInFlight = this.o.maxInFlight ?? DEFAULT_SNAPSHOTS_IN_FLIGHT;
    for (;;) {
      const nowMs = this.o.now();
      this.stats.weightLastMinute = this.spent.used(nowMs);
      if (this.pausedUntilMs > nowMs) {
        this.wakeAt(this.pausedUntilMs);
        return;
      }
      this.stats.pausedUntilMs = null;
      if (this.inFlight.size >= maxInFlight || this.queue.size === 0) return;
      const entry = this.pick(nowMs);
      if (entry === null) {
        let earliest = Number.POSITIVE_INFINITY;
        for (const e of this.queue.values()) earliest = Math.min(earliest, e.notBeforeMs);
        this.wakeAt(earliest);
        return;
      }
      const delay = Math.max(
        this.spent.delayMs(nowMs, this.o.weight),
        pacingDelayMs({
          observed: this.observed,
          inFlightWeight: this.inFlightWeight,
          requestWeight: this.o.weight,
          weightLimitPerMinute: this.weightLimitPerMinute,
          nowMs,
        }),
      );
      if (delay > 0) {
        this.wakeAt(nowMs + delay);
        return;
      }
      this.queue.delete(entry.symbol);
      this.send(entry, nowMs);
    }
  }

  /** Returns the first due entry, syncing ones before the rest, or null. */
  private pick(nowMs: number): Entry | null {
    let other: Entry | null = null;
    for (const e of this.queue.values()) {
      if (e.notBeforeMs > nowMs) continue;
      if (urgent(e.reason)) return e;
      other ??= e;
    }
    return other;
  }

  private wakeAt(atMs: number): void {
    if (!Number.isFinite(atMs) || (this.timer !== null && this.timerAtMs <= atMs)) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAtMs = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(1, Math.ceil(atMs - this.o.now())),
    );
  }

  private send(entry: Entry, nowMs: number): void {
    const { symbol } = entry;
    const weight = this.o.weight;
    this.spent.record(nowMs, weight);
    this.inFlight.add(symbol);
    this.inFlightWeight += weight;
    this.stats.sent++;
    const options = {
      signal: this.stop.signal,
      ...(this.o.timeoutMs !== undefined ? { timeoutMs: this.o.timeoutMs } : {}),
    };
    this.o.client
      .get(this.o.depthPath, { symbol, limit: this.o.limit }, options)
      .then(
        (response) => {
          this.settle(symbol, weight);
          this.answered(entry, response);
        },
        (error: unknown) => {
          this.settle(symbol, weight);
          this.failed(entry, error);
        },
      )
      .finally(() => this.pump());
  }

  /** Done with a request: before any callback, so that a callback may ask for the symbol again. */
  private settle(symbol: string, weight: number): void {
    this.inFlight.delete(symbol);
    this.inFlightWeight -= weight;
  }

  private answered(entry: Entry, response: BinanceResponse): void {
    if (this.closed) return;
    if (
      response.usedWeight1m !== null &&
      (this.observed === null || response.receivedAtMs >= this.observed.observedAtMs)
    ) {
      this.observed = { usedWeight: response.usedWeight1m, observedAtMs: response.receivedAtMs };
      this.stats.usedWeight1m = response.usedWeight1m;
    }
    this.stats.lastLatencyMs = response.receivedAtMs - response.sentAtMs;
    let snapshot: BookSnapshot;
    try {
      snapshot = parseRestDepth(response.body, {
        exchange: this.o.exchange,
        market: this.o.market,
        symbol: entry.symbol,
        localTimeMs: response.receivedAtMs,
        depthLimit: this.o.limit,
        requestTimeMs: response.sentAtMs,
        source: response.url,
      });
    } catch (error) {
      this.failed(entry, error);
      return;
    }
    this.stats.received++;
    this.o.onSnapshot(snapshot, response.body, response);
  }

  private failed(entry: Entry, error: unknown): void {
    if (this.closed) return;
    this.stats.failed++;
    const nowMs = this.o.now();
    if (error instanceof IpBannedError || error instanceof RateLimitError) {
      const until = error instanceof IpBannedError ? error.bannedUntilMs : nowMs + error.retryAfterMs;
      this.pausedUntilMs = Math.max(this.pausedUntilMs, until);
      this.stats.pausedUntilMs = this.pausedUntilMs;
      this.requeue(entry, 0);
      this.o.onFailure?.(entry.symbol, error, this.pausedUntilMs - nowMs);
      return;
    }
    const fatal =
      error instanceof UnknownSymbolError ||
      (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 408);
    if (fatal) {
      this.o.onFailure?.(entry.symbol, error, null);
      return;
    }
    const delay = backoffDelayMs(
      entry.attempt,
      this.o.random,
      this.o.backoff ?? { baseMs: 250, maxMs: 10_000 },
    );
    entry.attempt++;
    this.requeue(entry, nowMs + delay);
    this.o.onFailure?.(entry.symbol, error, delay);
  }

  private requeue(entry: Entry, notBeforeMs: number): void {
    const existing = this.queue.get(entry.symbol);
    if (existing !== undefined) {
      existing.attempt = entry.attempt;
      existing.notBeforeMs = Math.max(existing.notBeforeMs, notBeforeMs);
      return;
    }
    entry.notBeforeMs = notBeforeMs;
    this.queue.set(entry.symbol, entry);
  }
}
