/**
 * Live diff-depth for many symbols over Binance's combined websocket streams, as the ordered input of
 * a diff sampler: diffs, REST snapshots, missing-data markers and clock marks, each stamped with the local
 * time it entered the stream (non-decreasing). The books themselves live in the sampler's DiffBookKeeper;
 * this source moves bytes, fetches the snapshots the keeper asks for, and keeps connections alive.
 *
 * Rules (BINANCE.md, "Websocket market streams", "How to keep a local order book in sync"):
 * - Streams are spread over connections of at most `maxStreamsPerConnection` (≤ 1024) streams
 *   (ws-stream-plan.ts); new connections are paced within `maxNewConnectionsPer5Min` per IP; control messages
 *   within the per-connection limit (ws-connection.ts).
 * - Before a connection reaches `maxConnectionAgeMs` (Binance closes them at 24 h), and at once on a
 *   `serverShutdown` event, a replacement is opened FIRST. Its diffs for a symbol are held back until they
 *   continue what the old connection delivered (spot: `U <= last u + 1`; futures: `pu == last u`); from then
 *   on that symbol takes the new connection's diffs and drops the old one's. Once every symbol has switched
 *   (or, a grace period after the new connection is subscribed, has nothing pending: quiet symbols), the old
 *   connection is closed. No diff is lost and no book restarts. Held-back diffs are stamped when released.
 * - A connection lost without a ready replacement: a `missing` event per symbol (its book restarts: the
 *   gap is unknown), then reconnection with exponential backoff and full jitter.
 * - Ctrl-C / the end of the run: a `missing` event per symbol ("stopped") at the stop time, so that a
 *   replay of the recording knows when the run ended.
 *
 * Recording (`record`): every input except clock marks is written when it is handed on, so the recording
 * holds exactly what the sampler consumed, in that order: diffs as `ws` lines (the combined-stream envelope
 * as received), snapshots as `rest_depth` lines, missing markers as `rest_missing` lines (docs/recording-format.md);
 * control replies and `serverShutdown` are written as `ws` lines when they arrive. Duplicates from a
 * connection being replaced are dropped unrecorded.
 */
import { performance } from 'node:perf_hooks';
import { copyDiff } from '../../core/book/parsed-diff.js';
import type { BookDiff, BookSnapshot, MissingSample, StreamStatus, Trade } from '../../events.js';
import { ConfigError, ObiError, ParseError } from '../../errors.js';
import type { RecordingLine } from '../../io/recording-format.js';
import { backoffDelayMs, type BackoffPolicy } from '../../net/backoff.js';
import type { ClockMark } from '../../pipeline/clock-mark.js';
import type { SnapshotRequest } from '../../pipeline/diff-book-keeper.js';
import type { DiffSamplerInput } from '../../pipeline/diff-sampler.js';
import { binanceEndpoints, type BinanceExchange, type BinanceMarket } from './endpoints.js';
import { validateSymbols } from './exchange-info.js';
import { parseDepthUpdate, parseTrade } from './parse.js';
import { DepthUpdateScanner } from './depth-update-scanner.js';
import { depthRequestWeight, normalizeDepthLimit } from './request-weight.js';
import { BinanceRestClient } from './rest-client.js';
import {
  FUTURES_CONTROL_MESSAGES_PER_SECOND,
  SPOT_CONTROL_MESSAGES_PER_SECOND,
  WsConnection,
} from './ws-connection.js';
import { RateWindow } from './ws-rate-window.js';
import { SnapshotScheduler, type SnapshotSchedulerStats } from './ws-snapshot-scheduler.js';
import { diffStreamName, planStreams, type ConnectionPlan, type DiffStreamSpeed } from './ws-stream-plan.js';

/** Default REST snapshot `limit`: spot weight 25, USD-M weight 10 (BINANCE.md, "REST depth"). */
export const DEFAULT_SNAPSHOT_LIMIT = 500;
/** Binance: at most 300 new connections per 5 minutes per IP. */
export const MAX_NEW_CONNECTIONS_PER_5_MIN = 300;
/** Binance closes a connection after 24 h; replace it before that. */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 23 * 3_600_000 + 30 * 60_000;
/** How long a replacement may take to catch up before the switch is forced. */
export const DEFAULT_SWITCH_TIMEOUT_MS = 30_000;
/** Reconnect backoff: full jitter over 500 ms doubling up to 30 s. */
export const DEFAULT_RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };
/** A connection open at least this long resets the reconnect backoff when it drops. */
const STABLE_CONNECTION_MS = 5_000;
/**
 * A quiet symbol switches to the replacement this long after it is subscribed (at least two stream
 * intervals): by then a diff sent on the old connection before the replacement subscribed has arrived.
 */
const MIN_SWITCH_GRACE_MS = 1_000;
const FIVE_MINUTES_MS = 300_000;

/** Returns epoch ms from a monotonic clock: never goes backwards when the wall clock is adjusted. */
export function monotonicEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Options of {@link openWsDepthStream}, validated when it is called. */
export interface WsDepthStreamOptions {
  readonly exchange: BinanceExchange;
  /** @default 'spot' */
  readonly market?: BinanceMarket;
  /** Upper-cased and de-duplicated; at least one. */
  readonly symbols: readonly string[];
  /** @default binanceEndpoints(exchange, market).restBaseUrl */
  readonly restBaseUrl?: string;
  /** @default binanceEndpoints(exchange, market).wsBaseUrl */
  readonly wsBaseUrl?: string;
  /** @default '100ms' */
  readonly speed?: DiffStreamSpeed;
  /**
   * Also stream each symbol's `aggTrade` and hand the trades on (deduplicated by trade id across
   * connections) for the trade features.
   * @default false
   */
  readonly trades?: boolean;
  /**
   * REST snapshot `limit` (spot any 1..5000, futures one of 5…1000). The book's known window is this deep
   * at each (re)sync; the keeper refreshes it when it shrinks below what features need.
   * @default 500 (spot weight 25, USD-M weight 10)
   */
  readonly snapshotLimit?: number;
  /** @default 1024 */
  readonly maxStreamsPerConnection?: number;
  /** Longest URL; further streams are subscribed by message. @default 4000 */
  readonly maxUrlLength?: number;
  /** Most streams per SUBSCRIBE message. @default 200 */
  readonly streamsPerSubscribe?: number;
  /** @default 5 (spot), 10 (futures) */
  readonly maxControlMessagesPerSecond?: number;
  /** @default 300 */
  readonly maxNewConnectionsPer5Min?: number;
  /** @default 23.5 hours */
  readonly maxConnectionAgeMs?: number;
  /** @default 30000 */
  readonly switchTimeoutMs?: number;
  /** A connection with no message, ping or pong for this long is dropped. @default 60000 (spot), 600000 (futures) */
  readonly idleTimeoutMs?: number;
  /** @default { baseMs: 500, maxMs: 30000 } */
  readonly reconnectBackoff?: BackoffPolicy;
  /** REST timeout per request. @default 10000 */
  readonly timeoutMs?: number;
  /** @default true */
  readonly verifyTls?: boolean;
  /** Check the symbols against exchangeInfo first. @default true */
  readonly validateSymbols?: boolean;
  /** @default exchangeInfo's limit when validated, else the venue's */
  readonly weightLimitPerMinute?: number;
  /** @default 0.8 */
  readonly weightSafetyFraction?: number;
  /** @default 4 */
  readonly maxSnapshotsInFlight?: number;
  /** Clock marks at startMs + k·intervalMs (just after each tick), so cadence ticks come out on time. */
  readonly clockMarks?: { readonly startMs: number; readonly intervalMs: number };
  /** Stop at this local time (epoch ms). @default never */
  readonly stopAtMs?: number;
  /** Abort to stop: the stream hands on the stop markers and ends. */
  readonly signal?: AbortSignal;
  /** Local clock (epoch ms), non-decreasing. @default monotonicEpochMs */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
  /** Receives each recording line (see the file comment). */
  readonly record?: (line: RecordingLine) => void;
  /** Connection life: `connected`, `disconnected` (and `resync` when a snapshot cannot be had). */
  readonly onStatus?: (status: StreamStatus) => void;
}

/** Live counters. */
export interface WsDepthStreamStats {
  /** Connections open now. */
  connections: number;
  /** Connections opened so far. */
  opened: number;
  reconnects: number;
  /** Completed switches to a replacement connection. */
  rotations: number;
  messages: number;
  diffs: number;
  trades: number;
  /** Messages that were not JSON or not a valid depth event. */
  malformed: number;
  /** Duplicates dropped while switching connections. */
  duplicatesDropped: number;
  /** Receive time − E of the latest diff (includes clock skew). */
  lastLagMs: number | null;
  readonly snapshots: SnapshotSchedulerStats;
}

/** A running stream: iterate it for the sampler's inputs. */
export interface WsDepthStream extends AsyncIterable<DiffSamplerInput> {
  /** Fetches a REST snapshot of a symbol (the keeper's `onSnapshotNeeded`). */
  requestSnapshot(request: SnapshotRequest): void;
  /** Subscribes a symbol's stream again (the keeper's `onStreamBehind`). */
  resubscribe(symbol: string): void;
  /** Starts replacing every connection now, as before the 24 h limit. */
  rotate(): void;
  readonly stats: WsDepthStreamStats;
}

interface Link {
  readonly conn: WsConnection;
  readonly id: number;
  subscribed: boolean;
}

/** A diff message as it is recorded: its parsed envelope, or its text when the scanner read it. */
type Recorded =
  { readonly envelope: unknown; readonly raw: null } | { readonly envelope: null; readonly raw: string };

type Held = Recorded & { readonly diff: BookDiff };

interface Rotation {
  readonly next: Link;
  readonly held: Map<string, Held[]>;
  readonly joined: Set<string>;
  /** Forces the switch after switchTimeoutMs. */
  timer: NodeJS.Timeout | null;
  /** Set once the replacement is subscribed: symbols that stay quiet switch when it fires. */
  grace: NodeJS.Timeout | null;
  graceOver: boolean;
}

interface Slot {
  readonly plan: ConnectionPlan;
  active: Link | null;
  /** A connection on its way up to replace a lost one (no rotation). */
  connecting: Link | null;
  rotation: Rotation | null;
  attempt: number;
  retryTimer: NodeJS.Timeout | null;
  ageTimer: NodeJS.Timeout | null;
}

/** A queued input and its recording line; `input` null for a line that is only recorded (control replies). */
interface Entry {
  readonly input: DiffSamplerInput | null;
  readonly line: RecordingLine | null;
}

interface Resolved {
  readonly exchange: BinanceExchange;
  readonly market: BinanceMarket;
  readonly symbols: readonly string[];
  readonly restBaseUrl: string;
  readonly plans: readonly ConnectionPlan[];
  readonly speed: DiffStreamSpeed;
  readonly snapshotLimit: number;
  readonly snapshotWeight: number;
  readonly maxControl: number;
  readonly maxNewConnections: number;
  readonly maxAgeMs: number;
  readonly switchTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly now: () => number;
  readonly random: () => number;
}

function resolve(o: WsDepthStreamOptions): Resolved {
  const market = o.market ?? 'spot';
  const endpoints = binanceEndpoints(o.exchange, market);
  const symbols = [...new Set(o.symbols.map((s) => s.trim().toUpperCase()))];
  if (symbols.length === 0 || symbols.some((s) => s === '')) {
    throw new ConfigError('give at least one symbol, e.g. BTCUSDT', 'symbols');
  }
  const wsBaseUrl = o.wsBaseUrl ?? endpoints.wsBaseUrl;
  if (!/^wss?:\/\/[^/]+/.test(wsBaseUrl)) {
    throw new ConfigError(
      `websocket base URL must look like wss://host[:port], got "${wsBaseUrl}"`,
      'wsBaseUrl',
    );
  }
  const speed = o.speed ?? '100ms';
  const plans = planStreams(symbols, {
    market,
    wsBaseUrl,
    speed,
    ...(o.maxStreamsPerConnection !== undefined
      ? { maxStreamsPerConnection: o.maxStreamsPerConnection }
      : {}),
    ...(o.maxUrlLength !== undefined ? { maxUrlLength: o.maxUrlLength } : {}),
    ...(o.streamsPerSubscribe !== undefined ? { streamsPerSubscribe: o.streamsPerSubscribe } : {}),
    trades: o.trades === true,
  });
  const snapshotLimit = normalizeDepthLimit(o.exchange, market, o.snapshotLimit ?? DEFAULT_SNAPSHOT_LIMIT);
  const futures = market === 'futures';
  const maxControl =
    o.maxControlMessagesPerSecond ??
    (futures ? FUTURES_CONTROL_MESSAGES_PER_SECOND : SPOT_CONTROL_MESSAGES_PER_SECOND);
  const maxNewConnections = o.maxNewConnectionsPer5Min ?? MAX_NEW_CONNECTIONS_PER_5_MIN;
  const positive = (v: number, name: string): number => {
    if (!(v > 0) || !Number.isFinite(v))
      throw new ConfigError(`${name} must be a positive number, got ${v}`, name);
    return v;
  };
  positive(maxControl, 'maxControlMessagesPerSecond');
  if (maxNewConnections > MAX_NEW_CONNECTIONS_PER_5_MIN) {
    throw new ConfigError(
      `maxNewConnectionsPer5Min must be at most Binance's ${MAX_NEW_CONNECTIONS_PER_5_MIN}, got ${maxNewConnections}`,
      'maxNewConnectionsPer5Min',
    );
  }
  return {
    exchange: o.exchange,
    market,
    symbols,
    restBaseUrl: o.restBaseUrl ?? endpoints.restBaseUrl,
    plans,
    speed,
    snapshotLimit,
    snapshotWeight: depthRequestWeight(o.exchange, market, snapshotLimit),
    maxControl,
    maxNewConnections: positive(maxNewConnections, 'maxNewConnectionsPer5Min'),
    maxAgeMs: positive(o.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS, 'maxConnectionAgeMs'),
    switchTimeoutMs: positive(o.switchTimeoutMs ?? DEFAULT_SWITCH_TIMEOUT_MS, 'switchTimeoutMs'),
    idleTimeoutMs: positive(o.idleTimeoutMs ?? (futures ? 600_000 : 60_000), 'idleTimeoutMs'),
    backoff: o.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF,
    now: o.now ?? monotonicEpochMs,
    random: o.random ?? Math.random,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Returns a live diff-depth stream (see the file comment). Throws ConfigError at once for invalid options;
 * iterating throws, before any connection, what symbol validation throws (UnknownSymbolError, ConfigError),
 * and later a fatal snapshot error (an unknown symbol, a 4xx other than 429/418), after the stop markers.
 */
export function openWsDepthStream(options: WsDepthStreamOptions): WsDepthStream {
  const r = resolve(options);
  const runner = new StreamRunner(r, options);
  return {
    requestSnapshot: (request) => runner.requestSnapshot(request),
    resubscribe: (symbol) => runner.resubscribe(symbol),
    rotate: () => runner.rotateAll('requested'),
    get stats(): WsDepthStreamStats {
      return runner.statsCopy();
    },
    [Symbol.asyncIterator]: () => runner.run(),
  };
}

class StreamRunner {
  private readonly stats: Omit<WsDepthStreamStats, 'snapshots'> = {
    connections: 0,
    opened: 0,
    reconnects: 0,
    rotations: 0,
    messages: 0,
    diffs: 0,
    trades: 0,
    malformed: 0,
    duplicatesDropped: 0,
    lastLagMs: null,
  };
  private readonly client: BinanceRestClient;
  private readonly scheduler: SnapshotScheduler;
  private readonly slots: Slot[];
  private readonly slotOf = new Map<string, Slot>();
  private readonly lastU = new Map<string, number>();
  private readonly dropUpTo = new Map<string, number>();
  private readonly lastTradeId = new Map<string, number>();
  private readonly connectionRate: RateWindow;
  private readonly queue: Entry[] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  private lastStamp = Number.NEGATIVE_INFINITY;
  private nextLinkId = 1;
  private started = false;
  private stopped = false;
  private ended = false;
  private fatal: Error | null = null;
  private markTimer: NodeJS.Timeout | null = null;
  private markIndex = 0;
  private stopTimer: NodeJS.Timeout | null = null;
  private readonly venue: { readonly exchange: string; readonly market: BinanceMarket };
  private readonly scanner = new DepthUpdateScanner();

  constructor(
    private readonly r: Resolved,
    private readonly o: WsDepthStreamOptions,
  ) {
    this.venue = { exchange: r.exchange, market: r.market };
    this.client = new BinanceRestClient({
      baseUrl: r.restBaseUrl,
      now: r.now,
      ...(o.verifyTls !== undefined ? { verifyTls: o.verifyTls } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
    const endpoints = binanceEndpoints(r.exchange, r.market);
    this.scheduler = new SnapshotScheduler({
      client: this.client,
      depthPath: endpoints.depthPath,
      exchange: r.exchange,
      market: r.market,
      limit: r.snapshotLimit,
      weight: r.snapshotWeight,
      weightLimitPerMinute: o.weightLimitPerMinute ?? endpoints.weightLimitPerMinute,
      ...(o.weightSafetyFraction !== undefined ? { safetyFraction: o.weightSafetyFraction } : {}),
      ...(o.maxSnapshotsInFlight !== undefined ? { maxInFlight: o.maxSnapshotsInFlight } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      now: r.now,
      random: r.random,
      onSnapshot: (snapshot, body, response) => this.onSnapshot(snapshot, body, response.sentAtMs),
      onFailure: (symbol, error, retryInMs) => this.onSnapshotFailure(symbol, error, retryInMs),
    });
    this.connectionRate = new RateWindow(r.maxNewConnections, FIVE_MINUTES_MS);
    this.slots = r.plans.map((plan) => ({
      plan,
      active: null,
      connecting: null,
      rotation: null,
      attempt: 0,
      retryTimer: null,
      ageTimer: null,
    }));
    for (const slot of this.slots) for (const s of slot.plan.symbols) this.slotOf.set(s, slot);
  }

  statsCopy(): WsDepthStreamStats {
    return { ...this.stats, snapshots: { ...this.scheduler.stats } };
  }

  requestSnapshot(request: SnapshotRequest): void {
    if (!this.stopped) this.scheduler.request(request.symbol, request.reason);
  }

  resubscribe(symbol: string): void {
    const link = this.slotOf.get(symbol)?.active;
    if (link === undefined || link === null || this.stopped) return;
    const stream = diffStreamName(symbol, this.r.market, this.r.speed);
    link.conn.unsubscribe([stream]);
    link.conn.subscribe([stream]);
  }

  rotateAll(reason: string): void {
    for (const slot of this.slots) this.startRotation(slot, reason);
  }

  async *run(): AsyncGenerator<DiffSamplerInput, void, undefined> {
    if (this.started) throw new ObiError('a websocket depth stream can be iterated only once');
    this.started = true;
    const signal = this.o.signal;
    const onAbort = (): void => this.stop('stopped: the run was interrupted');
    try {
      if (signal?.aborted === true) return;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.o.validateSymbols ?? true) {
        const endpoints = binanceEndpoints(this.r.exchange, this.r.market);
        try {
          // One rule for every source: a short `symbols=[…]` query or the whole list (planExchangeInfo).
          const info = await validateSymbols(this.client, endpoints, this.r.symbols, signal);
          // The venue states its own limit (the simulator may set another); an explicit option wins.
          if (this.o.weightLimitPerMinute === undefined && info.weightLimitPerMinute !== null) {
            this.scheduler.setWeightLimit(info.weightLimitPerMinute);
          }
        } catch (error) {
          if (this.stopped) return;
          throw error;
        }
      }
      if (this.stopped) return;
      this.startClock();
      for (const slot of this.slots) this.openLink(slot, 'initial');
      for (;;) {
        if (this.head < this.queue.length) {
          const entry = this.queue[this.head] as Entry;
          this.queue[this.head] = undefined as unknown as Entry;
          this.head++;
          if (this.head > 1024 && this.head * 2 > this.queue.length) {
            this.queue.splice(0, this.head);
            this.head = 0;
          }
          if (entry.line !== null) this.o.record?.(entry.line);
          if (entry.input !== null) yield entry.input;
          continue;
        }
        if (this.ended) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      if (this.fatal !== null) throw this.fatal;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.shutdown();
    }
  }

  // ---- the queue

  private stamp(): number {
    const t = Math.max(this.r.now(), this.lastStamp);
    this.lastStamp = t;
    return t;
  }

  private push(input: DiffSamplerInput | null, line: RecordingLine | null): void {
    if (this.ended) return;
    this.queue.push({ input, line });
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private startClock(): void {
    const marks = this.o.clockMarks;
    if (marks !== undefined) {
      if (!(marks.intervalMs > 0)) throw new ConfigError('clock mark interval must be > 0', 'intervalMs');
      const nowMs = this.r.now();
      this.markIndex = Math.max(0, Math.floor((nowMs - marks.startMs) / marks.intervalMs) + 1);
      this.scheduleMark();
    }
    if (this.o.stopAtMs !== undefined) {
      this.stopTimer = setTimeout(
        () => this.stop('stopped: the run reached its duration'),
        Math.max(0, this.o.stopAtMs - this.r.now()),
      );
    }
  }

  private scheduleMark(): void {
    const marks = this.o.clockMarks;
    if (marks === undefined || this.stopped) return;
    // One ms after each tick: a mark at exactly the tick time would not yet release it (ticks < mark).
    const due = marks.startMs + this.markIndex * marks.intervalMs + 1;
    this.markTimer = setTimeout(
      () => {
        this.markTimer = null;
        const t = this.stamp();
        const mark: ClockMark = { type: 'clock', localTimeMs: t };
        this.push(mark, null);
        this.markIndex = Math.max(this.markIndex + 1, Math.floor((t - marks.startMs) / marks.intervalMs) + 1);
        this.scheduleMark();
      },
      Math.max(0, due - this.r.now()),
    );
  }

  /** Ends the stream: stop markers for every symbol, then nothing more. Idempotent. */
  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.closeEverything();
    const t = this.stamp();
    for (const symbol of this.r.symbols) this.pushMissing(symbol, reason, t);
    this.ended = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private shutdown(): void {
    this.stopped = true;
    this.ended = true;
    this.closeEverything();
    void this.client.close();
  }

  private closeEverything(): void {
    if (this.markTimer !== null) clearTimeout(this.markTimer);
    this.markTimer = null;
    if (this.stopTimer !== null) clearTimeout(this.stopTimer);
    this.stopTimer = null;
    this.scheduler.close();
    for (const slot of this.slots) {
      if (slot.retryTimer !== null) clearTimeout(slot.retryTimer);
      if (slot.ageTimer !== null) clearTimeout(slot.ageTimer);
      slot.retryTimer = null;
      slot.ageTimer = null;
      if (slot.rotation !== null) {
        if (slot.rotation.timer !== null) clearTimeout(slot.rotation.timer);
        if (slot.rotation.grace !== null) clearTimeout(slot.rotation.grace);
        slot.rotation.next.conn.close();
        slot.rotation = null;
      }
      slot.connecting?.conn.close();
      slot.connecting = null;
      slot.active?.conn.close();
      slot.active = null;
    }
  }

  private pushMissing(symbol: string, reason: string, t: number): void {
    const missing: MissingSample = { type: 'missing', ...this.venue, symbol, reason, localTimeMs: t };
    this.push(missing, { t, k: 'rest_missing', s: symbol, r: reason, ts: t });
  }

  private status(symbol: string, status: StreamStatus['status'], detail: string): void {
    this.o.onStatus?.({
      type: 'status',
      ...this.venue,
      symbol,
      status,
      detail,
      localTimeMs: this.r.now(),
    });
  }

  private slotStatus(slot: Slot, status: StreamStatus['status'], detail: string): void {
    for (const symbol of slot.plan.symbols) this.status(symbol, status, detail);
  }

  // ---- snapshots

  private onSnapshot(snapshot: BookSnapshot, body: unknown, sentAtMs: number): void {
    if (this.stopped) return;
    const t = this.stamp();
    const stamped: BookSnapshot = { ...snapshot, localTimeMs: t };
    this.push(stamped, {
      t,
      k: 'rest_depth',
      s: snapshot.symbol,
      lim: this.r.snapshotLimit,
      ts: sentAtMs,
      d: body,
    });
  }

  private onSnapshotFailure(symbol: string, error: unknown, retryInMs: number | null): void {
    const message = error instanceof Error ? error.message : String(error);
    if (retryInMs === null) {
      this.fatal ??= error instanceof Error ? error : new ObiError(message, { cause: error });
      this.stop(`stopped: snapshot of ${symbol} failed: ${message}`);
      return;
    }
    this.status(
      symbol,
      'resync',
      `symbol=${symbol}: snapshot failed (${message}); retrying in ${Math.round(retryInMs)} ms`,
    );
  }

  // ---- connections

  private openLink(slot: Slot, role: 'initial' | 'reconnect' | 'rotation', reason = ''): void {
    if (this.stopped) return;
    const nowMs = this.r.now();
    const wait = this.connectionRate.delayMs(nowMs);
    if (wait > 0) {
      slot.retryTimer = setTimeout(() => {
        slot.retryTimer = null;
        this.openLink(slot, role, reason);
      }, Math.ceil(wait));
      return;
    }
    this.connectionRate.record(nowMs);
    const id = this.nextLinkId++;
    const holder: { link: Link | null } = { link: null };
    const conn = new WsConnection({
      url: slot.plan.url,
      subscribeBatches: slot.plan.subscribeBatches,
      maxControlMessagesPerSecond: this.r.maxControl,
      idleTimeoutMs: this.r.idleTimeoutMs,
      ...(this.o.verifyTls !== undefined ? { verifyTls: this.o.verifyTls } : {}),
      now: this.r.now,
      onOpen: () => this.onOpen(slot, holder.link as Link),
      onSubscribed: () => this.onSubscribed(slot, holder.link as Link),
      onText: (text, t) => this.onDiffText(slot, holder.link as Link, text, t),
      onMessage: (value, t, text) => this.onMessage(slot, holder.link as Link, value, t, text),
      onClose: (code, why) => this.onClose(slot, holder.link as Link, code, why),
    });
    const link: Link = { conn, id, subscribed: false };
    holder.link = link;
    this.stats.opened++;
    if (role === 'rotation') {
      const rotation: Rotation = {
        next: link,
        held: new Map(),
        joined: new Set(),
        timer: null,
        grace: null,
        graceOver: false,
      };
      rotation.timer = setTimeout(() => {
        rotation.timer = null;
        if (slot.rotation === rotation) this.finishRotation(slot, true);
      }, this.r.switchTimeoutMs);
      slot.rotation = rotation;
      this.slotStatus(
        slot,
        'connected',
        `opening a replacement connection (${reason}) before closing the old one`,
      );
    } else {
      slot.connecting = link;
    }
  }

  private onOpen(slot: Slot, link: Link): void {
    if (this.stopped) return;
    this.stats.connections++;
    if (slot.connecting === link) {
      slot.connecting = null;
      slot.active = link;
      this.slotStatus(
        slot,
        'connected',
        `connected to ${slot.plan.url.split('?')[0] ?? ''} (${slot.plan.streams.length} streams)`,
      );
      this.armAge(slot, link);
    }
  }

  private onSubscribed(slot: Slot, link: Link): void {
    link.subscribed = true;
    const rotation = slot.rotation;
    if (rotation?.next !== link) return;
    const speedMs = Number.parseInt(this.r.speed, 10);
    rotation.grace = setTimeout(
      () => {
        rotation.grace = null;
        rotation.graceOver = true;
        if (slot.rotation === rotation) this.maybeFinishRotation(slot);
      },
      Math.max(MIN_SWITCH_GRACE_MS, 2 * speedMs),
    );
    this.maybeFinishRotation(slot);
  }

  private armAge(slot: Slot, link: Link): void {
    if (slot.ageTimer !== null) clearTimeout(slot.ageTimer);
    slot.ageTimer = setTimeout(() => {
      slot.ageTimer = null;
      if (slot.active === link) this.startRotation(slot, `connection age reached ${this.r.maxAgeMs} ms`);
    }, this.r.maxAgeMs);
  }

  private startRotation(slot: Slot, reason: string): void {
    if (this.stopped || slot.active === null || slot.rotation !== null || slot.connecting !== null) return;
    this.openLink(slot, 'rotation', reason);
  }

  private onClose(slot: Slot, link: Link, code: number, why: string): void {
    if (link.conn.openedAtMs !== null) this.stats.connections = Math.max(0, this.stats.connections - 1);
    if (this.stopped) return;
    const detail = `connection closed (code ${code}${why !== '' ? `: ${why}` : ''})`;
    const rotation = slot.rotation;
    if (rotation !== null && rotation.next === link) {
      // The replacement died before taking over: keep the old one, try again later.
      if (rotation.timer !== null) clearTimeout(rotation.timer);
      if (rotation.grace !== null) clearTimeout(rotation.grace);
      slot.rotation = null;
      for (const symbol of rotation.joined) {
        const u = this.lastU.get(symbol);
        if (u !== undefined) this.dropUpTo.set(symbol, u);
      }
      slot.attempt++;
      this.scheduleRetry(slot, () => this.startRotation(slot, 'retrying the replacement'));
      return;
    }
    if (slot.active === link) {
      slot.active = null;
      if (slot.ageTimer !== null) clearTimeout(slot.ageTimer);
      slot.ageTimer = null;
      if (rotation !== null && rotation.next.conn.state === 'open') {
        // The old connection went first (e.g. after serverShutdown): the replacement takes over now.
        this.finishRotation(slot, true);
        return;
      }
      if (rotation !== null) {
        // The replacement is still connecting: it becomes an ordinary reconnection.
        if (rotation.timer !== null) clearTimeout(rotation.timer);
        if (rotation.grace !== null) clearTimeout(rotation.grace);
        slot.rotation = null;
        slot.connecting = rotation.next;
      }
      this.lose(slot, detail);
      const openFor = this.r.now() - (link.conn.openedAtMs ?? this.r.now());
      slot.attempt = openFor >= STABLE_CONNECTION_MS ? 0 : slot.attempt + 1;
      if (slot.connecting === null) {
        this.stats.reconnects++;
        this.scheduleRetry(slot, () => this.openLink(slot, 'reconnect'));
      }
      return;
    }
    if (slot.connecting === link) {
      slot.connecting = null;
      slot.attempt++;
      this.stats.reconnects++;
      this.slotStatus(slot, 'disconnected', `could not connect: ${detail}`);
      this.scheduleRetry(slot, () => this.openLink(slot, 'reconnect'));
    }
  }

  /** The slot's symbols lost their feed: their books restart from scratch. */
  private lose(slot: Slot, detail: string): void {
    const t = this.stamp();
    for (const symbol of slot.plan.symbols) {
      this.lastU.delete(symbol);
      this.dropUpTo.delete(symbol);
      this.pushMissing(symbol, `disconnected: ${detail}`, t);
    }
    this.slotStatus(slot, 'disconnected', `${detail}; reconnecting`);
  }

  private scheduleRetry(slot: Slot, fn: () => void): void {
    if (this.stopped) return;
    const delay = backoffDelayMs(Math.max(0, slot.attempt - 1), this.r.random, this.r.backoff);
    if (slot.retryTimer !== null) clearTimeout(slot.retryTimer);
    slot.retryTimer = setTimeout(() => {
      slot.retryTimer = null;
      fn();
    }, Math.ceil(delay));
  }

  // ---- messages

  /**
   * The fast path for diff-depth messages, nearly all of a depth stream: the scanner reads the text
   * (depth-update-scanner.ts) and the text itself is recorded. False leaves the message to onMessage.
   */
  private onDiffText(slot: Slot, link: Link, text: string, receivedAtMs: number): boolean {
    if (this.stopped) return false;
    const diff = this.scanner.scan(text, 0, this.venue, receivedAtMs);
    if (diff === null || this.scanner.end !== text.length) return false;
    this.stats.messages++;
    this.acceptDiff(slot, link, diff, { envelope: null, raw: text });
    return true;
  }

  /** Counts a diff read either way (scanner or JSON.parse) and routes it. */
  private acceptDiff(slot: Slot, link: Link, diff: BookDiff, recorded: Recorded): void {
    this.stats.diffs++;
    this.stats.lastLagMs = diff.localTimeMs - diff.exchangeTimeMs;
    this.route(slot, link, diff, recorded);
  }

  private onMessage(slot: Slot, link: Link, value: unknown, receivedAtMs: number, text: string): void {
    if (this.stopped) return;
    this.stats.messages++;
    if (value === undefined) {
      this.stats.malformed++;
      return;
    }
    const payload =
      isRecord(value) && typeof value['stream'] === 'string' && 'data' in value ? value['data'] : value;
    if (isRecord(payload) && payload['e'] === 'depthUpdate') {
      let diff: BookDiff;
      try {
        diff = parseDepthUpdate(payload, {
          ...this.venue,
          symbol: typeof payload['s'] === 'string' ? payload['s'] : '?',
          localTimeMs: receivedAtMs,
          source: slot.plan.url,
        });
      } catch (error) {
        if (error instanceof ParseError) {
          this.stats.malformed++;
          return;
        }
        throw error;
      }
      this.acceptDiff(slot, link, diff, { envelope: value, raw: null });
      return;
    }
    if (isRecord(payload) && (payload['e'] === 'aggTrade' || payload['e'] === 'trade')) {
      let trade: Trade;
      try {
        trade = parseTrade(payload, {
          ...this.venue,
          symbol: typeof payload['s'] === 'string' ? payload['s'] : '?',
          localTimeMs: receivedAtMs,
          source: slot.plan.url,
        });
      } catch (error) {
        if (error instanceof ParseError) {
          this.stats.malformed++;
          return;
        }
        throw error;
      }
      // Both connections carry the trades while one replaces the other: ids are increasing per symbol.
      const last = this.lastTradeId.get(trade.symbol);
      if (last !== undefined && trade.tradeId <= last) {
        this.stats.duplicatesDropped++;
        return;
      }
      this.lastTradeId.set(trade.symbol, trade.tradeId);
      this.stats.trades++;
      const t = this.stamp();
      this.push({ ...trade, localTimeMs: t }, { t, k: 'ws', d: value });
      return;
    }
    // Control replies, serverShutdown and anything else: recorded as they come (replay skips them).
    if (link === slot.active || link === slot.rotation?.next) {
      this.push(null, { t: receivedAtMs, k: 'ws', d: value });
    }
    if (isRecord(payload) && payload['e'] === 'serverShutdown' && link === slot.active) {
      this.startRotation(slot, 'serverShutdown');
    } else if (isRecord(value) && 'error' in value) {
      this.slotStatus(slot, 'resync', `the server refused a request: ${text.slice(0, 200)}`);
    }
  }

  private route(slot: Slot, link: Link, diff: BookDiff, recorded: Recorded): void {
    const symbol = diff.symbol;
    const rotation = slot.rotation;
    if (link === slot.active) {
      if (rotation !== null && rotation.joined.has(symbol)) {
        this.stats.duplicatesDropped++;
        return;
      }
      this.forward(diff, recorded);
      if (rotation !== null) this.tryJoin(slot, rotation, symbol);
      return;
    }
    if (rotation === null || rotation.next !== link) return;
    if (rotation.joined.has(symbol)) {
      this.forward(diff, recorded);
      return;
    }
    let held = rotation.held.get(symbol);
    if (held === undefined) {
      held = [];
      rotation.held.set(symbol, held);
    }
    held.push({ diff, ...recorded });
    this.tryJoin(slot, rotation, symbol);
  }

  /** Hands a diff on, stamped now. */
  private forward(diff: BookDiff, recorded: Recorded): void {
    const symbol = diff.symbol;
    const drop = this.dropUpTo.get(symbol);
    if (drop !== undefined) {
      if (diff.finalUpdateId <= drop) {
        this.stats.duplicatesDropped++;
        return;
      }
      this.dropUpTo.delete(symbol);
    }
    const t = this.stamp();
    const stamped: BookDiff = diff.localTimeMs === t ? diff : copyDiff(diff, t);
    const last = this.lastU.get(symbol);
    if (last === undefined || diff.finalUpdateId > last) this.lastU.set(symbol, diff.finalUpdateId);
    this.push(
      stamped,
      recorded.raw !== null
        ? { t, k: 'ws', d: null, raw: recorded.raw }
        : { t, k: 'ws', d: recorded.envelope },
    );
  }

  /** Switches `symbol` to the replacement once its held diffs continue what was handed on. */
  private tryJoin(slot: Slot, rotation: Rotation, symbol: string): void {
    const held = rotation.held.get(symbol);
    if (held === undefined || held.length === 0) return;
    const last = this.lastU.get(symbol);
    if (last !== undefined) {
      let drop = 0;
      let caughtUp = false;
      while (drop < held.length && (held[drop] as Held).diff.finalUpdateId <= last) {
        // The replacement's copy of the last diff handed on: it is exactly where the book is.
        if ((held[drop] as Held).diff.finalUpdateId === last) caughtUp = true;
        drop++;
      }
      if (drop > 0) {
        this.stats.duplicatesDropped += drop;
        held.splice(0, drop);
      }
      if (held.length === 0) {
        if (caughtUp) this.join(rotation, symbol);
        this.maybeFinishRotation(slot);
        return;
      }
      const first = (held[0] as Held).diff;
      // spot: "U <= book id + 1"; futures: "pu must equal the previous event's u" (BINANCE.md).
      const continues =
        this.r.market === 'futures' ? first.prevFinalUpdateId === last : first.firstUpdateId <= last + 1;
      if (!continues) return;
    }
    this.join(rotation, symbol);
    this.maybeFinishRotation(slot);
  }

  private join(rotation: Rotation, symbol: string): void {
    rotation.joined.add(symbol);
    const held = rotation.held.get(symbol) ?? [];
    rotation.held.delete(symbol);
    for (const h of held) this.forward(h.diff, h);
  }

  /**
   * The switch is complete when the replacement is subscribed and every symbol has joined it, or, after
   * the grace period, when no symbol still waits for the old connection to catch up.
   */
  private maybeFinishRotation(slot: Slot): void {
    const rotation = slot.rotation;
    if (rotation === null || !rotation.next.subscribed) return;
    for (const symbol of slot.plan.symbols) {
      if (rotation.joined.has(symbol)) continue;
      if (!rotation.graceOver) return;
      const held = rotation.held.get(symbol);
      if (held !== undefined && held.length > 0) return;
    }
    this.finishRotation(slot, false);
  }

  private finishRotation(slot: Slot, forced: boolean): void {
    const rotation = slot.rotation;
    if (rotation === null) return;
    if (rotation.timer !== null) clearTimeout(rotation.timer);
    if (rotation.grace !== null) clearTimeout(rotation.grace);
    for (const symbol of slot.plan.symbols) {
      if (rotation.joined.has(symbol)) continue;
      const held = rotation.held.get(symbol) ?? [];
      if (held.length > 0) {
        // Forced: hand on what the replacement has; the book's own rules judge the continuity.
        this.join(rotation, symbol);
      } else {
        rotation.joined.add(symbol);
        const u = this.lastU.get(symbol);
        if (u !== undefined) this.dropUpTo.set(symbol, u);
      }
    }
    const old = slot.active;
    slot.rotation = null;
    slot.active = rotation.next;
    slot.attempt = 0;
    this.stats.rotations++;
    if (old !== null && old !== rotation.next) old.conn.close();
    this.armAge(slot, rotation.next);
    this.slotStatus(
      slot,
      'connected',
      forced ? 'switched to the replacement connection (forced)' : 'switched to the replacement connection',
    );
  }
}
