/**
 * The simulator's websocket side: connections, subscriptions, live control messages, limits and
 * heartbeats as Binance's market-stream servers behave (web-socket-streams.md, "General WSS
 * information", "Websocket Limits", "Live Subscribing/Unsubscribing to streams"), plus the per-message
 * websocket faults. Stream content comes from StreamPublisher via `publish`.
 */
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import type { Faults } from './faults.js';
import { parseStreamName } from './stream-name.js';

export interface WsHubOptions {
  readonly market: 'spot' | 'futures';
  readonly faults: Faults;
  /** Event time for `serverShutdown`. */
  readonly clock: () => number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly maxLifetimeMs: number;
  readonly maxIncomingPerSecond: number;
  readonly maxStreams: number;
}

/** Which message this is, for fault eligibility. */
export interface MessageMeta {
  readonly symbol: string;
  readonly isDiff: boolean;
}

interface Connection {
  readonly ws: WebSocket;
  combined: boolean;
  /** Subscription order, for LIST_SUBSCRIPTIONS. */
  readonly streams: string[];
  lastPongMs: number;
  readonly incoming: number[];
  /** Outgoing messages waiting out a `ws-delay` stall. */
  readonly queue: string[];
  stalled: boolean;
  /** A diff event held back by `ws-reorder`, released after the next data message. */
  held: string | undefined;
  lifetime: NodeJS.Timeout | undefined;
}

const METHODS = '`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';

/** True for ids Binance accepts: a 64-bit integer, an alphanumeric string of at most 36, or null. */
function isValidId(id: unknown): id is number | string | null {
  return (
    id === null ||
    (typeof id === 'number' && Number.isSafeInteger(id)) ||
    (typeof id === 'string' && /^[A-Za-z0-9]{0,36}$/.test(id))
  );
}

export class WsHub {
  private readonly connections = new Set<Connection>();
  private readonly subscribers = new Map<string, Set<Connection>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: WsHubOptions) {
    this.heartbeat = setInterval(() => this.beat(), options.pingIntervalMs);
    this.heartbeat.unref();
  }

  /** Returns the number of open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Returns how many connections listen to `stream`. */
  subscriberCount(stream: string): number {
    return this.subscribers.get(stream)?.size ?? 0;
  }

  /** Takes over an upgraded socket: `initialStreams` come from the URL. */
  accept(ws: WebSocket, combined: boolean, initialStreams: readonly string[]): void {
    const conn: Connection = {
      ws,
      combined,
      streams: [],
      lastPongMs: performance.now(),
      incoming: [],
      queue: [],
      stalled: false,
      held: undefined,
      lifetime: undefined,
    };
    this.connections.add(conn);
    for (const s of initialStreams) this.subscribe(conn, s);
    // "A single connection … is only valid for 24 hours; expect to be disconnected at the 24 hour mark."
    conn.lifetime = setTimeout(
      () => ws.close(1001, 'Connection lifetime exceeded'),
      this.options.maxLifetimeMs,
    );
    conn.lifetime.unref();
    ws.on('pong', () => {
      conn.lastPongMs = performance.now();
      this.countIncoming(conn);
    });
    ws.on('ping', () => this.countIncoming(conn));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!this.countIncoming(conn)) return;
      this.control(conn, isBinary ? '' : String(data));
    });
    ws.on('close', () => this.forget(conn));
    ws.on('error', () => this.forget(conn));
  }

  /** Sends a stream payload to every subscriber (wrapped for combined connections), applying ws faults. */
  publish(stream: string, payload: unknown, meta: MessageMeta): void {
    const subs = this.subscribers.get(stream);
    if (subs === undefined || subs.size === 0) return;
    const raw = JSON.stringify(payload);
    let wrapped: string | undefined;
    for (const conn of subs) {
      if (conn.combined) wrapped ??= `{"stream":${JSON.stringify(stream)},"data":${raw}}`;
      this.deliver(conn, conn.combined ? (wrapped as string) : raw, meta);
    }
  }

  /** Sends `{"e":"serverShutdown","E":…}` (unwrapped) on every connection; returns how many. */
  sendServerShutdown(): number {
    const text = JSON.stringify({ e: 'serverShutdown', E: Math.floor(this.options.clock()) });
    for (const conn of this.connections) this.send(conn, text);
    return this.connections.size;
  }

  /** Terminates every connection (no close frame); returns how many. */
  dropAll(): number {
    const n = this.connections.size;
    for (const conn of [...this.connections]) {
      conn.ws.terminate();
      this.forget(conn);
    }
    return n;
  }

  /** Stops timers and terminates every connection. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropAll();
  }

  private deliver(conn: Connection, text: string, meta: MessageMeta): void {
    const f = this.options.faults;
    if (f.take('ws-drop', meta.symbol) !== undefined) {
      conn.ws.terminate();
      this.forget(conn);
      return;
    }
    if (meta.isDiff && f.take('ws-gap', meta.symbol) !== undefined) return;
    let out = text;
    if (f.take('ws-malformed', meta.symbol) !== undefined) out = out.slice(0, Math.floor(out.length / 2));
    const delay = f.take('ws-delay', meta.symbol);
    if (delay !== undefined) this.stall(conn, delay.delayMs ?? 2000);
    if (meta.isDiff && conn.held === undefined && f.take('ws-reorder', meta.symbol) !== undefined) {
      conn.held = out;
      return;
    }
    this.send(conn, out);
    if (meta.isDiff && f.take('ws-duplicate', meta.symbol) !== undefined) this.send(conn, out);
    if (conn.held !== undefined) {
      const held = conn.held;
      conn.held = undefined;
      this.send(conn, held);
    }
  }

  private send(conn: Connection, text: string): void {
    if (conn.stalled) conn.queue.push(text);
    else if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(text);
  }

  private stall(conn: Connection, ms: number): void {
    if (conn.stalled) return;
    conn.stalled = true;
    const t = setTimeout(() => {
      this.timers.delete(t);
      conn.stalled = false;
      for (const text of conn.queue.splice(0)) this.send(conn, text);
    }, ms);
    this.timers.add(t);
  }

  /** Counts one incoming message; returns false (and disconnects) beyond the per-second limit. */
  private countIncoming(conn: Connection): boolean {
    const now = performance.now();
    while (conn.incoming.length > 0 && (conn.incoming[0] as number) <= now - 1000) conn.incoming.shift();
    conn.incoming.push(now);
    if (conn.incoming.length <= this.options.maxIncomingPerSecond) return true;
    // "A connection that goes beyond the limit will be disconnected."
    conn.ws.close(1008, 'Too many requests');
    this.forget(conn);
    return false;
  }

  private beat(): void {
    const now = performance.now();
    for (const conn of [...this.connections]) {
      if (now - conn.lastPongMs > this.options.pongTimeoutMs) {
        conn.ws.terminate();
        this.forget(conn);
      } else if (conn.ws.readyState === conn.ws.OPEN) {
        conn.ws.ping(String(Math.floor(this.options.clock())));
      }
    }
  }

  private reply(conn: Connection, body: unknown): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(body));
  }

  private error(conn: Connection, code: number, msg: string, id: unknown): void {
    this.reply(conn, { error: { code, msg }, id: isValidId(id) ? id : null });
  }

  private control(conn: Connection, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.error(conn, 3, 'Invalid JSON: expected value at line 1 column 1', null);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.error(conn, 2, 'Invalid request: expected an object', null);
      return;
    }
    const { method, params, id } = msg as Record<string, unknown>;
    const column = text.length;
    if (method === undefined) {
      this.error(conn, 2, `Invalid request: missing field \`method\` at line 1 column ${column}`, id);
      return;
    }
    if (!isValidId(id)) {
      this.error(conn, 2, 'Invalid request: request ID must be an unsigned integer', null);
      return;
    }
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || !params.every((p): p is string => typeof p === 'string')) {
          this.error(conn, 2, 'Invalid request: params must be an array of stream names', id);
          return;
        }
        if (method === 'SUBSCRIBE') {
          const fresh = params.filter((p) => !conn.streams.includes(p));
          if (conn.streams.length + new Set(fresh).size > this.options.maxStreams) {
            this.error(
              conn,
              2,
              `Invalid request: too many streams; the limit is ${this.options.maxStreams}`,
              id,
            );
            return;
          }
          for (const p of params) this.subscribe(conn, p);
        } else {
          for (const p of params) this.unsubscribe(conn, p);
        }
        this.reply(conn, { result: null, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.reply(conn, { result: [...conn.streams], id });
        return;
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || params.length !== 2) {
          this.error(conn, 2, 'Invalid request: too many parameters', id);
        } else if (typeof params[0] !== 'string') {
          this.error(conn, 2, 'Invalid request: property name must be a string', id);
        } else if (params[0] !== 'combined') {
          this.error(conn, 0, 'Unknown property', id);
        } else if (typeof params[1] !== 'boolean') {
          this.error(conn, 1, 'Invalid value type: expected Boolean', id);
        } else {
          conn.combined = params[1];
          this.reply(conn, { result: null, id });
        }
        return;
      }
      case 'GET_PROPERTY': {
        if (!Array.isArray(params) || typeof params[0] !== 'string') {
          this.error(conn, 2, 'Invalid request: property name must be a string', id);
        } else if (params[0] !== 'combined') {
          this.error(conn, 0, 'Unknown property', id);
        } else {
          this.reply(conn, { result: conn.combined, id });
        }
        return;
      }
      default:
        this.error(
          conn,
          2,
          `Invalid request: unknown variant \`${String(method)}\`, expected one of ${METHODS} at line 1 column ${column}`,
          id,
        );
    }
  }

  private subscribe(conn: Connection, stream: string): void {
    if (conn.streams.includes(stream)) return;
    conn.streams.push(stream);
    // Any name is accepted (Binance does too); only names the simulator serves ever carry data.
    if (parseStreamName(stream, this.options.market) === null) return;
    let subs = this.subscribers.get(stream);
    if (subs === undefined) {
      subs = new Set();
      this.subscribers.set(stream, subs);
    }
    subs.add(conn);
  }

  private unsubscribe(conn: Connection, stream: string): void {
    const i = conn.streams.indexOf(stream);
    if (i >= 0) conn.streams.splice(i, 1);
    this.subscribers.get(stream)?.delete(conn);
  }

  private forget(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    if (conn.lifetime !== undefined) clearTimeout(conn.lifetime);
    for (const s of conn.streams) this.subscribers.get(s)?.delete(conn);
  }
}
