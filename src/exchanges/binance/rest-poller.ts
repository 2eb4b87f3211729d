/**
 * Live depth by REST polling (`GET /api/v3/depth`, `/fapi/v1/depth`) at a fixed cadence: the original
 * script's method, made exact about time, limits and failures.
 *
 * The rules, in one place:
 * - Tick k is due at t0 + k·intervalMs (cadence.ts). Each tick asks for every symbol at once and owns the
 *   time until the next tick: every attempt's timeout is min(timeoutMs, time left before tick k+1), and a
 *   retry (5xx, 408, timeouts, network errors; backoff with full jitter) happens only when it can still
 *   start before then. So ticks never overlap, a slow answer never shifts later ticks, and an answer that
 *   would come after the next tick is a missing sample instead.
 * - One event per (tick, symbol), in tick order then symbol order: a BookSnapshot or a MissingSample whose
 *   `reason` says why (timeout, HTTP 5xx, rate-limited until …, paced, parse error, late, stopped).
 * - A tick reached more than `lateToleranceMs` after its time (the consumer or the event loop stalled) is
 *   missed, not bunched: its samples are missing with reason "late".
 * - 429: no request until Retry-After has passed; samples in between are missing ("rate-limited until …").
 *   `X-MBX-USED-WEIGHT-1M` near the limit (other processes share the IP): no request until the minute rolls
 *   over ("paced"). 418: the tick's events are yielded, then the iterator throws IpBannedError.
 *   -1121 or any other 4xx is not retried either: it would fail the same way every tick, so it ends the run
 *   the same way.
 * - Abort (`signal`): requests in flight are cancelled, the current tick's events are yielded (unanswered
 *   symbols as missing "stopped"), then the iterator ends normally.
 */
import type { BookSnapshot, MissingSample } from '../../events.js';
import {
  ConfigError,
  HttpError,
  IpBannedError,
  NetworkError,
  ObiError,
  ParseError,
  RateLimitError,
} from '../../errors.js';
import { backoffDelayMs } from '../../net/backoff.js';
import type { BackoffPolicy } from '../../net/backoff.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../net/http-client.js';
import { RequestTimeoutError } from '../../net/request-timeout-error.js';
import { sleep } from '../../net/sleep.js';
import { createCadence, decideTick, tickCount } from './cadence.js';
import { binanceEndpoints } from './endpoints.js';
import type { BinanceEndpoints, BinanceExchange, BinanceMarket } from './endpoints.js';
import { validateSymbols } from './exchange-info.js';
import { parseRestDepth } from './parse.js';
import { depthRequestWeight, normalizeDepthLimit } from './request-weight.js';
import { BinanceRestClient } from './rest-client.js';
import type { BinanceResponse } from './rest-client.js';
import { assertWeightBudget, DEFAULT_WEIGHT_SAFETY_FRACTION, pacingDelayMs } from './weight-budget.js';
import type { UsedWeightObservation } from './weight-budget.js';

/** Retries per (tick, symbol) after the first attempt, when the tick's time allows. */
export const DEFAULT_MAX_RETRIES = 3;

/** Options of pollDepth, validated once when it is called. */
export interface PollDepthOptions {
  readonly exchange: BinanceExchange;
  /** @default 'spot' */
  readonly market?: BinanceMarket;
  /** @default binanceEndpoints(exchange, market).restBaseUrl */
  readonly baseUrl?: string;
  /** Upper-cased and de-duplicated; at least one. */
  readonly symbols: readonly string[];
  /** Time between ticks, in ms. */
  readonly intervalMs: number;
  /** Levels per side to request (spot: capped at 5000; futures: one of 5…1000). */
  readonly depthLimit: number;
  /**
   * Per-attempt timeout in ms; an attempt never runs past the next tick either.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /** @default true */
  readonly verifyTls?: boolean;
  /** Run length in ms: ticks due before t0 + durationMs are polled. `undefined` = until aborted. */
  readonly durationMs?: number;
  /** Abort to stop: the current tick's events are yielded, then the iterator ends. */
  readonly signal?: AbortSignal;
  /**
   * Clock (epoch ms) for tick times and send/receive times. It must advance with real time: waits are real.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Source of [0, 1) numbers for backoff jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /** Called with a copy of the stats after each tick, before its events are yielded. */
  readonly onProgress?: (stats: PollStats) => void;
  /**
   * Check the symbols against exchangeInfo before the first tick (unknown → UnknownSymbolError with
   * suggestions; not TRADING → ConfigError).
   * @default true
   */
  readonly validateSymbols?: boolean;
  /**
   * The IP's weight limit per minute.
   * @default exchangeInfo's REQUEST_WEIGHT limit when validated, else binanceEndpoints(…).weightLimitPerMinute
   */
  readonly weightLimitPerMinute?: number;
  /**
   * Planned usage may take at most this fraction of the weight limit; a faster configuration is refused.
   * @default 0.8
   */
  readonly weightSafetyFraction?: number;
  /** @default { baseMs: 100, maxMs: 2000 } */
  readonly backoff?: BackoffPolicy;
  /** @default 3 */
  readonly maxRetries?: number;
  /**
   * How late a tick may start before it is missed (see cadence.ts).
   * @default intervalMs / 2
   */
  readonly lateToleranceMs?: number;
}

/** Which tick an event belongs to: tick `tickIndex` was due at `tickTimeMs` = t0 + tickIndex·intervalMs. */
export interface PollTick {
  readonly tickIndex: number;
  readonly tickTimeMs: number;
}

/** What pollDepth yields: a snapshot or a missing sample, each tagged with its tick. */
export type PolledEvent = (BookSnapshot & PollTick) | (MissingSample & PollTick);

/** Live counters for a progress line. */
export interface PollStats {
  /** Ticks completed (their events formed). */
  readonly ticks: number;
  /** Snapshots yielded. */
  readonly rows: number;
  /** Missing samples yielded. */
  readonly missing: number;
  /** Failed attempts, retried or not. */
  readonly errors: number;
  readonly retries: number;
  /** Receive time − send time of the latest answer. */
  readonly lastLatencyMs: number | null;
  /** The latest `X-MBX-USED-WEIGHT-1M`. */
  readonly usedWeight1m: number | null;
  /** No request before this time (epoch ms) because of a 429; null when not rate-limited. */
  readonly rateLimitedUntilMs: number | null;
  readonly lastMissingReason: string | null;
}

/** A running poll: iterate it for events; `stats` reads the live counters. */
export interface DepthPoll extends AsyncIterable<PolledEvent> {
  readonly stats: PollStats;
}

interface ResolvedPoll {
  readonly endpoints: BinanceEndpoints;
  readonly baseUrl: string;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  readonly depthLimit: number;
  readonly weight: number;
  readonly timeoutMs: number;
  readonly verifyTls: boolean;
  readonly durationMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly now: () => number;
  readonly random: () => number;
  readonly onProgress: ((stats: PollStats) => void) | undefined;
  readonly validateSymbols: boolean;
  readonly weightLimitPerMinute: number | undefined;
  readonly weightSafetyFraction: number;
  readonly backoff: BackoffPolicy;
  readonly maxRetries: number;
  readonly lateToleranceMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function resolve(options: PollDepthOptions): ResolvedPoll {
  const market = options.market ?? 'spot';
  const endpoints = binanceEndpoints(options.exchange, market);
  const symbols = [...new Set(options.symbols.map((s) => s.trim().toUpperCase()))];
  if (symbols.length === 0 || symbols.some((s) => s === '')) {
    throw new ConfigError('give at least one symbol, e.g. BTCUSDT', 'symbols');
  }
  const { intervalMs } = options;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new ConfigError(`interval must be a positive number of ms, got ${intervalMs}`, 'intervalMs');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ConfigError(`timeout must be > 0 ms, got ${timeoutMs}`, 'timeoutMs');
  if (options.durationMs !== undefined && !(options.durationMs >= 0)) {
    throw new ConfigError(`duration must be ≥ 0 ms, got ${options.durationMs}`, 'durationMs');
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ConfigError(`maxRetries must be a whole number ≥ 0, got ${maxRetries}`, 'maxRetries');
  }
  const depthLimit = normalizeDepthLimit(options.exchange, market, options.depthLimit);
  const weightSafetyFraction = options.weightSafetyFraction ?? DEFAULT_WEIGHT_SAFETY_FRACTION;
  const lateToleranceMs = options.lateToleranceMs ?? intervalMs / 2;
  createCadence(0, intervalMs, lateToleranceMs); // validates the tolerance now rather than at the first tick
  return {
    endpoints,
    baseUrl: options.baseUrl ?? endpoints.restBaseUrl,
    symbols,
    intervalMs,
    depthLimit,
    weight: depthRequestWeight(options.exchange, market, depthLimit),
    timeoutMs,
    verifyTls: options.verifyTls ?? true,
    durationMs: options.durationMs,
    signal: options.signal,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    onProgress: options.onProgress,
    validateSymbols: options.validateSymbols ?? true,
    weightLimitPerMinute: options.weightLimitPerMinute,
    weightSafetyFraction,
    backoff: options.backoff ?? {},
    maxRetries,
    lateToleranceMs,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isRetryable(error: unknown): boolean {
  if (error instanceof RateLimitError || error instanceof IpBannedError) return false;
  if (error instanceof HttpError) return error.status >= 500 || error.status === 408;
  return error instanceof NetworkError;
}

/** A short reason for a failed attempt, for MissingSample.reason. */
function failureReason(error: unknown): string {
  if (error instanceof RequestTimeoutError) return `timeout: no complete answer within ${error.timeoutMs} ms`;
  // HttpError messages already start with `HTTP <status> from GET <url>: …`.
  if (error instanceof HttpError) return error.message;
  if (error instanceof ParseError) return `parse error: ${error.message}`;
  if (error instanceof NetworkError) return `network error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/** Mutable state shared by the requests of a run. */
interface RunState {
  rateLimitedUntilMs: number | null;
  observed: UsedWeightObservation | null;
  inFlightWeight: number;
  weightLimitPerMinute: number;
  /** The error that ends the run (418, -1121, other 4xx), thrown after its tick's events. */
  fatal: Error | null;
}

/**
 * Returns a poll of `GET depth` for every symbol at a fixed cadence (see the rules at the top of this file).
 * Throws ConfigError at once for invalid options. Iterating throws, before any depth request,
 * UnknownSymbolError / ConfigError from symbol validation and ConfigError for a configuration over the IP's
 * weight budget (checked against `weightLimitPerMinute`, else exchangeInfo's limit, else the venue default);
 * later IpBannedError on 418 and the error of any other non-retryable answer, each after the events before it.
 */
export function pollDepth(options: PollDepthOptions): DepthPoll {
  const resolved = resolve(options);
  const stats: Mutable<PollStats> = {
    ticks: 0,
    rows: 0,
    missing: 0,
    errors: 0,
    retries: 0,
    lastLatencyMs: null,
    usedWeight1m: null,
    rateLimitedUntilMs: null,
    lastMissingReason: null,
  };
  return {
    get stats(): PollStats {
      return { ...stats };
    },
    [Symbol.asyncIterator]: () => run(resolved, stats),
  };
}

async function* run(
  o: ResolvedPoll,
  stats: Mutable<PollStats>,
): AsyncGenerator<PolledEvent, void, undefined> {
  if (o.signal?.aborted === true) return;
  const { endpoints } = o;
  const client = new BinanceRestClient({
    baseUrl: o.baseUrl,
    verifyTls: o.verifyTls,
    timeoutMs: o.timeoutMs,
    now: o.now,
  });
  // One controller stops everything in flight: the user's abort, a fatal answer, or the consumer leaving.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const state: RunState = {
    rateLimitedUntilMs: null,
    observed: null,
    inFlightWeight: 0,
    weightLimitPerMinute: o.weightLimitPerMinute ?? endpoints.weightLimitPerMinute,
    fatal: null,
  };
  const venue = { exchange: endpoints.exchange, market: endpoints.market } as const;

  const stopReason = (): string =>
    state.fatal !== null
      ? `cancelled: the run stopped on ${state.fatal.name} (${state.fatal.message})`
      : 'stopped: the run was aborted before the answer arrived';

  async function fetchOne(symbol: string, tick: PollTick, deadlineMs: number): Promise<PolledEvent> {
    let attempt = 0;
    let lastSentAtMs: number | undefined;
    let lastFailure: string | null = null;
    const missing = (reason: string): PolledEvent => ({
      type: 'missing',
      ...venue,
      symbol,
      reason,
      localTimeMs: o.now(),
      ...(lastSentAtMs !== undefined ? { requestTimeMs: lastSentAtMs } : {}),
      ...tick,
    });
    for (;;) {
      if (stop.signal.aborted) return missing(stopReason());
      const nowMs = o.now();
      if (state.rateLimitedUntilMs !== null && nowMs < state.rateLimitedUntilMs) {
        return missing(
          `rate-limited: no requests until ${iso(state.rateLimitedUntilMs)} (HTTP 429 Retry-After)`,
        );
      }
      const paceMs = pacingDelayMs({
        observed: state.observed,
        inFlightWeight: state.inFlightWeight,
        requestWeight: o.weight,
        weightLimitPerMinute: state.weightLimitPerMinute,
        nowMs,
      });
      if (paceMs > 0) {
        return missing(
          `paced: this IP used weight ${state.observed?.usedWeight ?? 0}/${state.weightLimitPerMinute} this minute ` +
            `(+${state.inFlightWeight} in flight); no requests until ${iso(nowMs + paceMs)}`,
        );
      }
      const remainingMs = deadlineMs - nowMs;
      if (remainingMs <= 0) {
        return missing(lastFailure ?? 'late: no time left before the next tick to send the request');
      }
      state.inFlightWeight += o.weight;
      lastSentAtMs = nowMs;
      let outcome: { ok: true; response: BinanceResponse } | { ok: false; error: unknown };
      try {
        const response = await client.get(
          endpoints.depthPath,
          { symbol, limit: o.depthLimit },
          { signal: stop.signal, timeoutMs: Math.min(o.timeoutMs, remainingMs) },
        );
        outcome = { ok: true, response };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        state.inFlightWeight -= o.weight;
      }
      if (!outcome.ok) {
        const { error } = outcome;
        // Checked first: an abort rejects with whatever reason the caller gave, Error or not.
        if (stop.signal.aborted) return missing(stopReason());
        stats.errors++;
        if (error instanceof ParseError) {
          // A body that is not JSON: the server answered, so retrying this tick would most likely repeat it.
          return missing(failureReason(error));
        }
        if (error instanceof IpBannedError) {
          state.fatal ??= error;
          stop.abort(error);
          return missing(`IP banned (HTTP 418) until ${iso(error.bannedUntilMs)}`);
        }
        if (error instanceof RateLimitError) {
          state.rateLimitedUntilMs = Math.max(state.rateLimitedUntilMs ?? 0, o.now() + error.retryAfterMs);
          stats.rateLimitedUntilMs = state.rateLimitedUntilMs;
          return missing(`rate-limited (HTTP 429): no requests until ${iso(state.rateLimitedUntilMs)}`);
        }
        if (!isRetryable(error)) {
          state.fatal ??= error instanceof Error ? error : new ObiError(String(error), { cause: error });
          stop.abort(state.fatal);
          return missing(failureReason(error));
        }
        lastFailure = failureReason(error);
        if (attempt >= o.maxRetries) return missing(`${lastFailure} (after ${attempt + 1} attempts)`);
        const delayMs = backoffDelayMs(attempt, o.random, o.backoff);
        if (o.now() + delayMs >= deadlineMs) {
          return missing(`${lastFailure} (no time to retry before the next tick)`);
        }
        stats.retries++;
        try {
          await sleep(delayMs, stop.signal);
        } catch {
          return missing(stopReason());
        }
        attempt++;
        continue;
      }

      const { response } = outcome;
      lastSentAtMs = response.sentAtMs;
      stats.lastLatencyMs = response.receivedAtMs - response.sentAtMs;
      // Answers can arrive out of order; keep the newest observation.
      if (
        response.usedWeight1m !== null &&
        (state.observed === null || response.receivedAtMs >= state.observed.observedAtMs)
      ) {
        state.observed = { usedWeight: response.usedWeight1m, observedAtMs: response.receivedAtMs };
        stats.usedWeight1m = response.usedWeight1m;
      }
      try {
        const snapshot = parseRestDepth(response.body, {
          ...venue,
          symbol,
          localTimeMs: response.receivedAtMs,
          depthLimit: o.depthLimit,
          requestTimeMs: response.sentAtMs,
          source: response.url,
        });
        return { ...snapshot, ...tick };
      } catch (error) {
        stats.errors++;
        return missing(failureReason(error));
      }
    }
  }

  function account(events: readonly PolledEvent[]): void {
    stats.ticks++;
    for (const event of events) {
      if (event.type === 'snapshot') stats.rows++;
      else {
        stats.missing++;
        stats.lastMissingReason = event.reason;
      }
    }
    if (state.rateLimitedUntilMs !== null && o.now() >= state.rateLimitedUntilMs)
      stats.rateLimitedUntilMs = null;
    o.onProgress?.({ ...stats });
  }

  try {
    if (o.validateSymbols) {
      try {
        const info = await validateSymbols(client, endpoints, o.symbols, stop.signal);
        // The venue states its own limit (the simulator may set another); an explicit option wins.
        if (o.weightLimitPerMinute === undefined && info.weightLimitPerMinute !== null) {
          state.weightLimitPerMinute = info.weightLimitPerMinute;
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        throw error;
      }
    }
    // Refuse before any depth request: a configuration over budget would earn 429s and then a 418 ban.
    assertWeightBudget({
      exchange: endpoints.exchange,
      market: endpoints.market,
      symbolCount: o.symbols.length,
      depthLimit: o.depthLimit,
      intervalMs: o.intervalMs,
      safetyFraction: o.weightSafetyFraction,
      weightLimitPerMinute: state.weightLimitPerMinute,
    });
    const cadence = createCadence(o.now(), o.intervalMs, o.lateToleranceMs);
    const ticks = tickCount(o.intervalMs, o.durationMs);
    for (let index = 0; index < ticks && !stop.signal.aborted; index++) {
      let decision = decideTick(cadence, index, o.now());
      while (decision.kind === 'wait') {
        try {
          await sleep(decision.delayMs, stop.signal);
        } catch {
          return; // aborted between ticks: nothing is owed
        }
        decision = decideTick(cadence, index, o.now());
      }
      const tick: PollTick = { tickIndex: index, tickTimeMs: decision.dueMs };
      let events: PolledEvent[];
      if (decision.kind === 'missed') {
        const reason =
          `late: the process reached this tick ${Math.round(decision.latenessMs)} ms after its time ` +
          `(more than ${o.lateToleranceMs} ms), so it was skipped rather than bunched`;
        const localTimeMs = o.now();
        events = o.symbols.map((symbol) => ({
          type: 'missing',
          ...venue,
          symbol,
          reason,
          localTimeMs,
          ...tick,
        }));
      } else {
        const deadlineMs = decision.dueMs + o.intervalMs;
        events = await Promise.all(o.symbols.map((symbol) => fetchOne(symbol, tick, deadlineMs)));
      }
      account(events);
      yield* events;
      if (state.fatal !== null) throw state.fatal;
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await client.close();
  }
}
