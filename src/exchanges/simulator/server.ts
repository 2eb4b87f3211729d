/**
 * A simulated Binance on 127.0.0.1: REST market data (node:http) and market streams (ws) on one port,
 * speaking Binance's wire format (see /work/shared/BINANCE.md), backed by SimulatedMarket and driven in
 * real time by a timer (or by `tick()` when a test wants to own time).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ConfigError } from '../../errors.js';
import type { FaultRule } from './fault-rule.js';
import { Faults } from './faults.js';
import { SimulatedMarket } from './market.js';
import { createRestHandler, requestUrl } from './rest-api.js';
import { StreamPublisher } from './stream-publisher.js';
import { parseStreamName } from './stream-name.js';
import type { SymbolSpec } from './symbol-spec.js';
import { WeightBudget } from './weight-budget.js';
import { WsHub } from './ws-hub.js';
import type { FlowModel } from './zero-intelligence-flow.js';

export interface SimulatorOptions {
  /**
   * Symbols to simulate.
   * @default BTCUSDT, ETHUSDT, SOLUSDT with realistic prices, ticks and lots for the market
   */
  readonly symbols?: readonly SymbolSpec[];
  /**
   * Seed of the market path (and of probabilistic faults).
   * @default 1
   */
  readonly seed?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * 0 picks a free port.
   * @default 0
   */
  readonly port?: number;
  /**
   * `spot` serves /api/v3 and spot streams; `futures` serves /fapi/v1 (USD-M limits, weights, `E`/`T`
   * in the depth body, `pu`/`T` in depth events).
   * @default 'spot'
   */
  readonly market?: 'spot' | 'futures';
  /**
   * Order-flow events per second for a symbol of activity 1.
   * @default 40
   */
  readonly eventsPerSecond?: number;
  /** Overrides of the order-flow model. */
  readonly flow?: Partial<FlowModel>;
  /**
   * REQUEST_WEIGHT per IP per minute.
   * @default 6000 (spot), 2400 (futures)
   */
  readonly weightLimitPerMinute?: number;
  /**
   * Length of a rate-limit window (Binance: one calendar minute).
   * @default 60000
   */
  readonly weightWindowMs?: number;
  /**
   * 429s an IP may receive in one window before the next over-limit request bans it (418).
   * @default 3
   */
  readonly banAfter429s?: number;
  /**
   * First ban's length (doubling for repeat offenders, up to 3 days).
   * @default 120000
   */
  readonly banMs?: number;
  /**
   * Server ping interval.
   * @default 20000 (spot), 180000 (futures)
   */
  readonly pingIntervalMs?: number;
  /**
   * Disconnect when no pong arrives for this long.
   * @default 60000 (spot), 600000 (futures)
   */
  readonly pongTimeoutMs?: number;
  /**
   * Connection lifetime.
   * @default 86400000 (24 h)
   */
  readonly maxConnectionLifetimeMs?: number;
  /**
   * Incoming websocket messages (control, ping, pong) allowed per second per connection.
   * @default 5 (spot), 10 (futures)
   */
  readonly maxIncomingPerSecond?: number;
  /**
   * Streams per connection.
   * @default 1024
   */
  readonly maxStreamsPerConnection?: number;
  /**
   * How often the timer advances the market and publishes due stream events.
   * @default 50
   */
  readonly tickMs?: number;
  /**
   * false: no timer; the caller drives everything with `tick()` (deterministic tests).
   * @default true
   */
  readonly autoTick?: boolean;
  /**
   * The venue's clock (epoch ms): market time, event times, rate-limit windows, bans. Heartbeats,
   * connection lifetimes, the per-second message limit and fault delays use real timers.
   * @default Date.now
   */
  readonly clock?: () => number;
  /** Faults armed from the start (text/JSON spec or rules; see fault-rule.ts). */
  readonly faults?: string | readonly FaultRule[];
}

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `ws://127.0.0.1:PORT` */
  readonly wsUrl: string;
  readonly port: number;
  /** The venue's truth (books at any retained update id, trades). */
  readonly market: SimulatedMarket;
  readonly faults: Faults;
  /** Advances the market to the clock and publishes every due stream event now. */
  tick(): void;
  /** Returns the number of open websocket connections. */
  connectionCount(): number;
  /** Stops timers, drops every connection (including hung requests) and closes the port. */
  close(): Promise<void>;
}

/** Starts a simulated exchange and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const marketType = options.market ?? 'spot';
  const futures = marketType === 'futures';
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const positive = (v: number | undefined, name: string): void => {
    if (v !== undefined && !(v > 0 && Number.isFinite(v)))
      throw new ConfigError(`${name} must be a positive number`, name);
  };
  positive(options.tickMs, 'tickMs');
  positive(options.pingIntervalMs, 'pingIntervalMs');
  positive(options.pongTimeoutMs, 'pongTimeoutMs');
  positive(options.weightLimitPerMinute, 'weightLimitPerMinute');

  const market = new SimulatedMarket({
    market: marketType,
    seed,
    startTimeMs: clock(),
    ...(options.symbols !== undefined ? { symbols: options.symbols } : {}),
    ...(options.eventsPerSecond !== undefined ? { eventsPerSecond: options.eventsPerSecond } : {}),
    ...(options.flow !== undefined ? { flow: options.flow } : {}),
  });
  const faults = new Faults(seed);
  if (typeof options.faults === 'string') faults.load(options.faults);
  else if (options.faults !== undefined) faults.add(...options.faults);

  const weightLimitPerMinute = options.weightLimitPerMinute ?? (futures ? 2400 : 6000);
  const budget = new WeightBudget({
    limit: weightLimitPerMinute,
    ...(options.weightWindowMs !== undefined ? { windowMs: options.weightWindowMs } : {}),
    ...(options.banAfter429s !== undefined ? { banAfter429s: options.banAfter429s } : {}),
    ...(options.banMs !== undefined ? { banMs: options.banMs } : {}),
  });

  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const hub = new WsHub({
    market: marketType,
    faults,
    clock,
    pingIntervalMs: options.pingIntervalMs ?? (futures ? 180_000 : 20_000),
    pongTimeoutMs: options.pongTimeoutMs ?? (futures ? 600_000 : 60_000),
    maxLifetimeMs: options.maxConnectionLifetimeMs ?? 86_400_000,
    maxIncomingPerSecond: options.maxIncomingPerSecond ?? (futures ? 10 : 5),
    maxStreams: options.maxStreamsPerConnection ?? 1024,
  });
  faults.bind({ dropConnections: () => hub.dropAll(), sendServerShutdown: () => hub.sendServerShutdown() });
  const publisher = new StreamPublisher(market, hub, clock());

  const server: Server = createServer(
    createRestHandler({ market, faults, budget, weightLimitPerMinute, clock, later }),
  );
  server.keepAliveTimeout = 65_000;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req.url);
    if (url === null) {
      socket.destroy();
      return;
    }
    const path = url.pathname;
    let combined: boolean;
    let names: string[];
    if (path === '/ws' || path.startsWith('/ws/')) {
      combined = false;
      names = path.slice(4).split('/');
    } else if (path === '/stream' || path === '/stream/') {
      combined = true;
      names = (url.searchParams.get('streams') ?? '').split('/');
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // Clients often open `/ws` or `/ws/<anything>` and SUBSCRIBE later: accept, serve what parses.
    const streams = names
      .map((n) => decodeURIComponent(n))
      .filter((n) => parseStreamName(n, marketType) !== null);
    if (streams.length > (options.maxStreamsPerConnection ?? 1024)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, combined, streams));
  });

  const tick = (): void => {
    const now = clock();
    market.advanceTo(now);
    publisher.publishDue(now);
  };
  let ticker: NodeJS.Timeout | undefined;
  if (options.autoTick ?? true) {
    ticker = setInterval(tick, options.tickMs ?? 50);
    ticker.unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}`,
    port: address.port,
    market,
    faults,
    tick,
    connectionCount: () => hub.connectionCount,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        if (ticker !== undefined) clearInterval(ticker);
        for (const t of timers) clearTimeout(t);
        timers.clear();
        hub.close();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
