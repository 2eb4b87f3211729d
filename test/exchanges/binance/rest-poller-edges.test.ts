/**
 * Poller behaviour that needs a server doing one precise thing (a tiny node:http server); the broad
 * integration tests run against the simulator in rest-poller.test.ts.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, HttpError, UnknownSymbolError } from '../../../src/errors.js';
import { pollDepth } from '../../../src/exchanges/binance/rest-poller.js';
import type { PolledEvent } from '../../../src/exchanges/binance/rest-poller.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

interface FakeBinance {
  readonly baseUrl: string;
  readonly requests: URL[];
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

const servers: FakeBinance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function depthBody(id: number): string {
  return JSON.stringify({ lastUpdateId: id, bids: [['100.00', '1.5']], asks: [['100.01', '2.0']] });
}

async function fakeBinance(depth: Handler, weightLimit = 600_000): Promise<FakeBinance> {
  const requests: URL[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(url);
    if (url.pathname === '/api/v3/exchangeInfo') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightLimit },
          ],
          symbols: ['BTCUSDT', 'ETHUSDT'].map((symbol) => ({ symbol, status: 'TRADING' })),
        }),
      );
      return;
    }
    depth(req, res, url);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeBinance = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

async function collect(
  iterable: AsyncIterable<PolledEvent>,
): Promise<{ events: PolledEvent[]; error: unknown }> {
  const events: PolledEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

const depthPath = (u: URL): boolean => u.pathname === '/api/v3/depth';

describe('pollDepth edge cases', () => {
  it('refuses invalid options at once, before any request', () => {
    const base = { exchange: 'binance' as const, symbols: ['BTCUSDT'], intervalMs: 100, depthLimit: 5 };
    expect(() => pollDepth({ ...base, symbols: [] })).toThrow(ConfigError);
    expect(() => pollDepth({ ...base, intervalMs: 0 })).toThrow(ConfigError);
    expect(() => pollDepth({ ...base, depthLimit: 0 })).toThrow(ConfigError);
    expect(() => pollDepth({ ...base, market: 'futures', depthLimit: 7 })).toThrow(ConfigError);
    expect(() => pollDepth({ ...base, exchange: 'binance-us', market: 'futures' })).toThrow(ConfigError);
    expect(() => pollDepth({ ...base, lateToleranceMs: 100 })).toThrow(ConfigError);
  });

  it('paces on X-MBX-USED-WEIGHT-1M: once the IP is near its limit, no request until the minute rolls over', async () => {
    // Another process on this IP has used 5396 of 6000: the first request goes (no header seen yet); after
    // it, 5396 + 5 > 5400 (90% of 6000), so nothing more is sent this minute. The clock is pinned to the start of a minute so the rollover cannot happen mid-test.
    const minuteStart = Math.ceil(Date.now() / 60_000) * 60_000;
    const offset = minuteStart - Date.now();
    const now = (): number => Date.now() + offset;
    const fake = await fakeBinance((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-mbx-used-weight-1m': '5396' });
      res.end(depthBody(1));
    }, 6000);
    const { events } = await collect(
      pollDepth({
        baseUrl: fake.baseUrl,
        exchange: 'binance',
        symbols: ['BTCUSDT'],
        intervalMs: 100,
        depthLimit: 5,
        durationMs: 400,
        now,
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['snapshot', 'missing', 'missing', 'missing']);
    const reason = events[1]?.type === 'missing' ? events[1].reason : '';
    expect(reason).toBe(
      `paced: this IP used weight 5396/6000 this minute (+0 in flight); no requests until ${new Date(minuteStart + 60_000).toISOString()}`,
    );
    expect(fake.requests.filter(depthPath)).toHaveLength(1);
  });

  it('on abort mid-tick, yields the tick (unanswered symbols as stopped), ends normally and closes its sockets', async () => {
    const controller = new AbortController();
    let depthRequests = 0;
    const fake = await fakeBinance((req, res, url) => {
      depthRequests++;
      if (depthRequests <= 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(depthBody(depthRequests));
        return;
      }
      // Tick 1: BTCUSDT answers, ETHUSDT hangs; the user presses Ctrl-C while it hangs.
      if (url.searchParams.get('symbol') === 'BTCUSDT') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(depthBody(depthRequests));
      } else {
        req.socket.setTimeout(0);
        setTimeout(() => controller.abort(), 10);
      }
    });
    const { events, error } = await collect(
      pollDepth({
        baseUrl: fake.baseUrl,
        exchange: 'binance',
        symbols: ['BTCUSDT', 'ETHUSDT'],
        intervalMs: 200,
        depthLimit: 5,
        signal: controller.signal,
      }),
    );
    expect(error).toBeUndefined();
    expect(events.map((e) => `${e.tickIndex}:${e.symbol}:${e.type}`)).toEqual([
      '0:BTCUSDT:snapshot',
      '0:ETHUSDT:snapshot',
      '1:BTCUSDT:snapshot',
      '1:ETHUSDT:missing',
    ]);
    const last = events[3];
    expect(last?.type === 'missing' && last.reason).toBe(
      'stopped: the run was aborted before the answer arrived',
    );
    // The agent was destroyed: the server sees every connection close (nothing keeps the process alive).
    await expect.poll(() => fake.sockets.size).toBe(0);
  });

  it('stops on an unknown symbol mid-run (-1121) after yielding that tick', async () => {
    const fake = await fakeBinance((_req, res, url) => {
      if (url.searchParams.get('symbol') === 'ETHUSDT') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"code":-1121,"msg":"Invalid symbol."}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(depthBody(1));
      }
    });
    const { events, error } = await collect(
      pollDepth({
        baseUrl: fake.baseUrl,
        exchange: 'binance',
        symbols: ['BTCUSDT', 'ETHUSDT'],
        intervalMs: 100,
        depthLimit: 5,
        durationMs: 1000,
        validateSymbols: false,
        weightLimitPerMinute: 600_000,
      }),
    );
    expect(error).toBeInstanceOf(UnknownSymbolError);
    expect(events.map((e) => `${e.tickIndex}:${e.symbol}:${e.type}`)).toEqual([
      '0:BTCUSDT:snapshot',
      '0:ETHUSDT:missing',
    ]);
  });

  it('does not retry a 4xx: it would fail the same way every tick', async () => {
    const fake = await fakeBinance((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const { events, error } = await collect(
      pollDepth({
        baseUrl: fake.baseUrl,
        exchange: 'binance',
        symbols: ['BTCUSDT'],
        intervalMs: 100,
        depthLimit: 5,
        durationMs: 1000,
        weightLimitPerMinute: 600_000,
      }),
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(404);
    expect(events).toHaveLength(1);
    expect(fake.requests.filter(depthPath)).toHaveLength(1);
  });

  it('retries a 5xx with jittered backoff within the tick and records each failure', async () => {
    let n = 0;
    const fake = await fakeBinance((_req, res) => {
      n++;
      if (n <= 2) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(depthBody(n));
      }
    });
    const draws: number[] = [];
    const poll = pollDepth({
      baseUrl: fake.baseUrl,
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      intervalMs: 1000,
      depthLimit: 5,
      durationMs: 1000,
      weightLimitPerMinute: 600_000,
      backoff: { baseMs: 10, maxMs: 40 },
      random: () => {
        draws.push(draws.length);
        return 0.5;
      },
    });
    const { events } = await collect(poll);
    expect(events.map((e) => e.type)).toEqual(['snapshot']);
    expect(events[0]?.type === 'snapshot' && events[0].lastUpdateId).toBe(3);
    expect(draws).toHaveLength(2); // one jitter draw per retry
    expect(poll.stats).toMatchObject({ ticks: 1, rows: 1, missing: 0, errors: 2, retries: 2 });
  });
});
