import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DashboardServer } from '../../src/dashboard/dashboard-server.js';
import type { DeltaMessage, SnapshotMessage } from '../../src/dashboard/dashboard-state.js';
import { ConfigError } from '../../src/errors.js';

type Message = SnapshotMessage | DeltaMessage;

const servers: DashboardServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const d of servers.splice(0)) await d.close();
});

async function start(options: Parameters<typeof DashboardServer.start>[0] = {}): Promise<DashboardServer> {
  const d = await DashboardServer.start({ pushIntervalMs: 20, ...options });
  servers.push(d);
  return d;
}

function get(
  d: DashboardServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A websocket client that queues messages and lets a test await the next one matching a predicate. */
class Client {
  readonly ws: WebSocket;
  private readonly queue: Message[] = [];
  private waiter: (() => void) | null = null;

  constructor(d: DashboardServer, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`ws://127.0.0.1:${d.port}/ws`, { headers });
    sockets.push(this.ws);
    this.ws.on('message', (data) => {
      this.queue.push(JSON.parse(String(data)) as Message);
      this.waiter?.();
    });
  }

  async next(match: (m: Message) => boolean = () => true): Promise<Message> {
    for (;;) {
      const i = this.queue.findIndex(match);
      if (i >= 0) return this.queue.splice(0, i + 1).pop()!;
      this.queue.length = 0;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}

const row = (symbol: string, t: number) => ({
  symbol,
  time_ms: t,
  mid: 100,
  obi: 0.1,
  obi_ema: 0.05,
  status: 'ok',
});

describe('DashboardServer', () => {
  it('serves the page (offline-safe CSP, uPlot inline), the state, and nothing else', async () => {
    const d = await start();
    expect(d.url).toBe(`http://127.0.0.1:${d.port}/`);
    const page = await get(d, '/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain("connect-src 'self'");
    expect(page.body).not.toMatch(/\b(src|href)\s*=\s*["']?[a-z]*:?\/\//i);
    expect(page.body).toMatch(/uPlot/);
    d.publishRow(row('BTCUSDT', 1));
    const state = await get(d, '/api/state');
    expect(JSON.parse(state.body)).toMatchObject({
      type: 'snapshot',
      symbols: { BTCUSDT: { points: { t: [1] } } },
    });
    expect((await get(d, '/healthz')).body).toBe('ok\n');
    expect((await get(d, '/nope')).status).toBe(404);
    expect((await get(d, '/', {}, 'POST')).status).toBe(405);
    // DNS rebinding: a page on another name must not read the local state.
    expect((await get(d, '/api/state', { Host: `evil.example:${d.port}` })).status).toBe(403);
  });

  it('refuses websockets from other origins and other paths', async () => {
    const d = await start();
    for (const [path, headers] of [
      ['/ws', { Origin: 'http://evil.example' }],
      ['/other', {}],
    ] as const) {
      const ws = new WebSocket(`ws://127.0.0.1:${d.port}${path}`, { headers });
      sockets.push(ws);
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
      expect(status).toBe(403);
    }
    const same = new Client(d, { Origin: `http://127.0.0.1:${d.port}` });
    expect((await same.next()).type).toBe('snapshot');
  });

  it('sends a snapshot first, then coalesced deltas in sequence, then says the run ended', async () => {
    const d = await start({ levels: 3 });
    d.publishRow(row('BTCUSDT', 1));
    const c = new Client(d);
    const first = await c.next();
    expect(first).toMatchObject({
      type: 'snapshot',
      levels: 3,
      symbols: { BTCUSDT: { points: { t: [1] } } },
    });
    for (let t = 2; t <= 4; t++) d.publishRow(row('BTCUSDT', t));
    d.publishBook('BTCUSDT', [[99.9, 1]], [[100.1, 2]], 4);
    const delta = (await c.next(
      (m) => m.type === 'delta' && m.symbols['BTCUSDT']?.book !== undefined,
    )) as DeltaMessage;
    expect(delta.seq).toBe(first.seq + 1);
    expect(delta.symbols['BTCUSDT']!.points!.t).toEqual([2, 3, 4]);
    expect(delta.symbols['BTCUSDT']!.book).toEqual({ t: 4, bids: [[99.9, 1]], asks: [[100.1, 2]] });
    await d.sink.close();
    expect(await c.next((m) => m.ended)).toMatchObject({ type: 'delta', ended: true, seq: delta.seq + 1 });
    expect(d.stats()).toMatchObject({ rows: 4, books: 1, snapshots: 1 });
  });

  it('lets a dropped client come back to the whole state', async () => {
    const d = await start();
    for (let t = 0; t < 50; t++) d.publishRow(row('ETHUSDT', t));
    const c = new Client(d);
    await c.next();
    const closed = new Promise<void>((resolve) => c.ws.on('close', () => resolve()));
    d.dropClients();
    await closed;
    const again = new Client(d);
    const snap = await again.next();
    expect(snap.type).toBe('snapshot');
    expect(snap.symbols['ETHUSDT']!.points!.t).toHaveLength(50);
  });

  it('skips a client that stops reading instead of queueing for it, then resyncs it with a snapshot', async () => {
    const symbols = Array.from({ length: 30 }, (_, i) => `S${i}USDT`);
    const d = await start({ pushIntervalMs: 60_000, slowBytes: 64 * 1024, maxBytes: 512 * 1024 * 1024 });
    const c = new Client(d);
    d.push();
    const first = await c.next();
    expect(first.type).toBe('snapshot');
    c.ws.pause();
    let t = 0;
    // Fill the socket: each push carries 30 symbols × 100 points.
    for (let push = 0; push < 400 && d.stats().skipped === 0; push++) {
      for (const s of symbols) for (let i = 0; i < 100; i++) d.publishRow(row(s, t + i));
      t += 100;
      d.push();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(d.stats().skipped).toBeGreaterThan(0);
    c.ws.resume();
    // The client drains what was already sent, then gets a snapshot holding the newest points.
    const resync = await new Promise<Message>((resolve) => {
      const tick = setInterval(() => d.push(), 5);
      void c
        .next((m) => m.type === 'snapshot')
        .then((m) => {
          clearInterval(tick);
          resolve(m);
        });
    });
    expect(resync.symbols['S0USDT']!.points!.t.at(-1)).toBe(t - 1);
    expect(d.stats().snapshots).toBe(2);
  });

  it('fails with a ConfigError when the port is taken', async () => {
    const d = await start();
    await expect(DashboardServer.start({ port: d.port })).rejects.toBeInstanceOf(ConfigError);
  });
});
