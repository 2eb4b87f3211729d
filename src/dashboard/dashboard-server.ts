/**
 * The live dashboard's server: the page over HTTP and its updates over a websocket (`/ws`), on 127.0.0.1
 * unless told otherwise. Rows arrive through `sink` (a RowSink, so any run can feed it) and books through
 * `publishBook` / `publishView`; every `pushIntervalMs` whatever changed goes out as one coalesced delta.
 * A new or recovering browser gets a snapshot first; a slow one is skipped, then resynced, never buffered for
 * without bound (client-feed.ts); dead connections are found by ping/pong and dropped.
 *
 * Local safety: on a loopback bind, requests must name a loopback host (no DNS-rebinding reads of the state),
 * and a browser's websocket must come from the page's own origin (no cross-site socket hijacking).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DepthView } from '../core/book/depth-view.js';
import { ConfigError } from '../errors.js';
import type { Row, RowSink } from '../io/sinks/row-sink.js';
import { ClientFeed, type FeedLimits } from './client-feed.js';
import { renderDashboardPage } from './dashboard-page.js';
import {
  DashboardState,
  LAST_FIELDS,
  type DashboardStateOptions,
  type LevelsInput,
} from './dashboard-state.js';

/** Options of {@link DashboardServer.start}. */
export interface DashboardOptions extends DashboardStateOptions, FeedLimits {
  /**
   * Address to bind. Anything but loopback exposes the page to the network: only when asked.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * How often changes are pushed to browsers (coalescing window).
   * @default 200
   */
  readonly pushIntervalMs?: number;
  /**
   * Ping interval; a client that has not answered the previous ping is dropped.
   * @default 15000
   */
  readonly heartbeatMs?: number;
  /**
   * Page title.
   * @default 'obi live'
   */
  readonly title?: string;
  /** Columns of `sink` (what the rows carry); the dashboard reads the ones it knows. */
  readonly columns?: readonly string[];
}

/** Counters for tests and logs. */
export interface DashboardStats {
  readonly clients: number;
  readonly connections: number;
  readonly pushes: number;
  readonly snapshots: number;
  readonly deltas: number;
  readonly skipped: number;
  readonly dropped: number;
  readonly rows: number;
  readonly books: number;
}

const DEFAULT_PUSH_INTERVAL_MS = 200;
const DEFAULT_HEARTBEAT_MS = 15_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

interface Client {
  readonly socket: WebSocket;
  readonly feed: ClientFeed;
  alive: boolean;
}

export class DashboardServer {
  /** Rows in: write(row) adds a point; close() marks the run as ended (the page stays up). */
  readonly sink: RowSink;
  private readonly clients = new Set<Client>();
  private readonly timers: NodeJS.Timeout[] = [];
  private counters = {
    connections: 0,
    pushes: 0,
    snapshots: 0,
    deltas: 0,
    skipped: 0,
    dropped: 0,
    rows: 0,
    books: 0,
  };
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    private readonly state: DashboardState,
    readonly host: string,
    readonly port: number,
    columns: readonly string[],
  ) {
    this.sink = {
      columns,
      write: (row: Row): Promise<void> => {
        this.publishRow(row);
        return Promise.resolve();
      },
      flush: (): Promise<void> => Promise.resolve(),
      close: (): Promise<void> => {
        this.end();
        return Promise.resolve();
      },
    };
  }

  /** Starts the server; resolves once it listens. Throws a ConfigError when the address cannot be bound. */
  static async start(options: DashboardOptions = {}): Promise<DashboardServer> {
    const host = options.host ?? '127.0.0.1';
    const title = options.title ?? 'obi live';
    const state = new DashboardState(options, title);
    const page = await renderDashboardPage(title);
    const loopbackOnly = LOOPBACK_HOSTS.has(host);
    let self: DashboardServer | null = null;
    const server = createServer((req, res) => {
      handleHttp(req, res, { page, loopbackOnly, state: () => state.snapshot() });
    });
    server.keepAliveTimeout = 5_000;
    const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
    server.on('upgrade', (req, socket, head) => {
      if (
        requestPath(req) !== '/ws' ||
        !hostAllowed(req, loopbackOnly) ||
        !sameOrigin(req) ||
        self === null
      ) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      const dashboard = self;
      wss.handleUpgrade(req, socket, head, (ws) => dashboard.accept(ws, options));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          new ConfigError(
            `dashboard: cannot listen on ${host}:${options.port ?? 0}: ${error.code ?? error.message}` +
              (error.code === 'EADDRINUSE'
                ? ' (the port is in use; choose another with --port)'
                : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
                  ? ` (${host} is not an address of this machine; use --host 127.0.0.1)`
                  : error.code === 'EACCES'
                    ? ' (ports below 1024 need privileges; choose another with --port)'
                    : ''),
            'port',
          ),
        );
      };
      server.once('error', onError);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const columns =
      options.columns !== undefined && options.columns.length > 0
        ? options.columns
        : ['symbol', ...LAST_FIELDS];
    self = new DashboardServer(server, wss, state, host, port, [...new Set(columns)]);
    self.startTimers(
      options.pushIntervalMs ?? DEFAULT_PUSH_INTERVAL_MS,
      options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    );
    return self;
  }

  /** `http://127.0.0.1:PORT/` (an IPv6 host in brackets). */
  get url(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host === '0.0.0.0' ? '127.0.0.1' : this.host;
    return `http://${h}:${this.port}/`;
  }

  /** Adds one feature row (as the sink does). */
  publishRow(row: Row): void {
    this.counters.rows++;
    this.state.addRow(row);
  }

  /** Sets a symbol's book: top levels per side, best first, as [price, qty] (numbers or decimal strings). */
  publishBook(symbol: string, bids: LevelsInput, asks: LevelsInput, timeMs: number): void {
    this.counters.books++;
    this.state.setBook(symbol, bids, asks, timeMs);
  }

  /** Sets a symbol's book from a sampler's depth view. */
  publishView(symbol: string, view: DepthView, timeMs: number): void {
    this.counters.books++;
    this.state.setBookView(symbol, view, timeMs);
  }

  /** Marks the run as ended: pages show it; the server keeps serving the last state until close(). */
  end(): void {
    this.state.end();
    this.push();
  }

  /** Returns the counters. */
  stats(): DashboardStats {
    return { clients: this.clients.size, ...this.counters };
  }

  /** Drops every browser connection (they reconnect); for tests of recovery. */
  dropClients(): void {
    for (const c of this.clients) c.socket.terminate();
  }

  /** Sends what changed now, instead of at the next push. */
  push(): void {
    const delta = this.state.takeDelta();
    this.counters.pushes++;
    const deltaText = delta === null ? null : JSON.stringify(delta);
    let snapshotText: string | null = null;
    const snapshot = (): string => (snapshotText ??= JSON.stringify(this.state.snapshot()));
    for (const c of this.clients) {
      const action = c.feed.push(deltaText, snapshot);
      if (action === 'snapshot') this.counters.snapshots++;
      else if (action === 'delta') this.counters.deltas++;
      else if (action === 'skipped') this.counters.skipped++;
      else if (action === 'terminated') {
        this.counters.dropped++;
        this.clients.delete(c);
      }
    }
  }

  /** Stops timers, drops every connection and closes the port. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      for (const c of this.clients) c.socket.terminate();
      this.clients.clear();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    })();
    return this.closing;
  }

  private accept(ws: WebSocket, limits: FeedLimits): void {
    const client: Client = { socket: ws, feed: new ClientFeed(ws, limits), alive: true };
    this.clients.add(client);
    this.counters.connections++;
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('close', () => this.clients.delete(client));
    // Errors end in 'close'; a listener keeps them from being thrown.
    ws.on('error', () => {});
    // The page never sends anything that matters; reading keeps the socket flowing.
    ws.on('message', () => {});
    // Flush what is pending to everyone, which also gives the newcomer its snapshot at once.
    this.push();
  }

  private startTimers(pushIntervalMs: number, heartbeatMs: number): void {
    const push = setInterval(() => this.push(), pushIntervalMs);
    const beat = setInterval(() => {
      for (const c of this.clients) {
        if (!c.alive) {
          c.socket.terminate();
          this.clients.delete(c);
          this.counters.dropped++;
          continue;
        }
        c.alive = false;
        c.socket.ping();
      }
    }, heartbeatMs);
    // The listening socket keeps the process alive while serving; these timers alone should not.
    push.unref();
    beat.unref();
    this.timers.push(push, beat);
  }
}

interface HttpContext {
  readonly page: string;
  readonly loopbackOnly: boolean;
  readonly state: () => unknown;
}

function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): void {
  const send = (status: number, type: string, body: string): void => {
    res.writeHead(status, {
      'Content-Type': type,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (!hostAllowed(req, ctx.loopbackOnly)) {
    send(403, 'text/plain; charset=utf-8', 'forbidden: this dashboard answers to loopback host names only\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const path = requestPath(req);
  if (path === '/' || path === '/index.html') send(200, 'text/html; charset=utf-8', ctx.page);
  else if (path === '/api/state') send(200, 'application/json', JSON.stringify(ctx.state()));
  else if (path === '/healthz') send(200, 'text/plain; charset=utf-8', 'ok\n');
  else send(404, 'text/plain; charset=utf-8', 'not found\n');
}

/**
 * Returns the request's path, or null when it is not one: `new URL('//', base)` reads `//` as a host and
 * throws, and a throw in a request handler is an uncaught exception — any page a browser has open could
 * end the collector with `fetch('http://127.0.0.1:8787//')`.
 */
function requestPath(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://dashboard').pathname;
  } catch {
    return null;
  }
}

/** On a loopback bind, the Host header must name a loopback host (DNS-rebinding defence). */
function hostAllowed(req: IncomingMessage, loopbackOnly: boolean): boolean {
  if (!loopbackOnly) return true;
  const host = req.headers.host;
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

/** A browser's websocket must come from this server's own origin; non-browser clients send no Origin. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
