/**
 * Fuzzing what arrives over the network, end to end through the real clients on 127.0.0.1: REST answers of
 * any status, headers and body (BinanceRestClient, exchangeInfo validation), websocket frames of any content
 * (the live depth stream), and — the other way round — any request to the simulator's REST API and any
 * fault spec. A client either returns data or throws an ObiError; the stream counts garbage and goes on; the
 * simulator answers every request and keeps serving.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, isObiError } from '../../src/errors.js';
import { BinanceRestClient } from '../../src/exchanges/binance/rest-client.js';
import { validateSymbols } from '../../src/exchanges/binance/exchange-info.js';
import { binanceEndpoints } from '../../src/exchanges/binance/endpoints.js';
import { openWsDepthStream } from '../../src/exchanges/binance/ws-depth-stream.js';
import { parseFaultSpec } from '../../src/exchanges/simulator/fault-rule.js';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { DashboardServer } from '../../src/dashboard/dashboard-server.js';
import { connect } from 'node:net';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Destroy the socket instead of answering. */
  readonly reset: boolean;
}

let answer: Answer = { status: 200, headers: {}, body: '{}', reset: false };
let server: Server;
let baseUrl: string;
let sim: RunningSimulator;

beforeAll(async () => {
  server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    if (answer.reset) {
      res.socket?.destroy();
      return;
    }
    try {
      res.writeHead(answer.status, answer.headers);
    } catch {
      res.writeHead(answer.status);
    }
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim = await startSimulator({ seed: 3 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sim.close();
});

const headerValue = fc.oneof(
  fc.stringMatching(/^[\x20-\x7e]{0,30}$/),
  fc.constantFrom('99999999999999999999', '-1', 'Fri, 31 Dec 9999 23:59:59 GMT', '1e9', '0', '2'),
);
const body = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom(
    '{"code":-1121,"msg":"Invalid symbol."}',
    '{"code":-1003,"msg":"Too many requests."}',
    '{"lastUpdateId":1,"bids":[["1.0","1"]],"asks":[["1.1","1"]]}',
    '{"symbols":[{"symbol":"BTCUSDT","status":"TRADING"}],"rateLimits":[]}',
    '<html>502 Bad Gateway</html>',
    '{"lastUpdateId":',
  ),
);
const answerArb: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 200, 201, 204, 301, 400, 403, 404, 408, 418, 429, 500, 502, 503, 504, 599),
  headers: fc.record(
    { 'retry-after': headerValue, 'x-mbx-used-weight-1m': headerValue, 'content-type': headerValue },
    { requiredKeys: [] },
  ),
  body,
  reset: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
});

/** Sends one raw HTTP/1.1 request and returns the status line of the answer ('' when none came). */
function rawRequest(port: number, target: string, method: string, upgrade: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      const upgradeHeaders = upgrade
        ? 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
        : '';
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgradeHeaders}\r\n`);
    });
    let text = '';
    const done = (): void => {
      socket.destroy();
      resolve(text.split('\r\n')[0] ?? '');
    };
    socket.setTimeout(3000, done);
    socket.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      if (text.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

describe('network inputs under fuzzing', () => {
  it('REST: any answer becomes data or an ObiError (never another error)', async () => {
    const client = new BinanceRestClient({ baseUrl, timeoutMs: 2000 });
    const endpoints = { ...binanceEndpoints('binance', 'spot'), restBaseUrl: baseUrl };
    try {
      await fc.assert(
        fc.asyncProperty(answerArb, async (a) => {
          answer = a;
          for (const call of [
            () => client.get('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5 }),
            () => validateSymbols(client, endpoints, ['BTCUSDT']),
          ]) {
            try {
              await call();
            } catch (error) {
              if (!isObiError(error)) throw error;
              expect(error.message).not.toMatch(/undefined|\[object Object\]/);
            }
          }
        }),
        { numRuns: 120 },
      );
    } finally {
      await client.close();
    }
  });

  it('websocket: garbage frames are counted and skipped; the stream runs to its end', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const frames = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.constantFrom(
          '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":4,"b":[],"a":[]}}',
          '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":"x","s":"BTCUSDT","U":5,"u":6,"b":[["1","x"]],"a":[]}}',
          '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT","a":-1,"p":"1","q":"1","T":1,"m":true}}',
          '{"e":"serverShutdown","E":1}',
          '{"result":null,"id":999}',
          '{"__proto__":{"polluted":1},"e":"depthUpdate"}',
        ),
      ),
      { numRuns: 300, seed: 42 },
    );
    wss.on('connection', (ws) => {
      for (const f of frames) ws.send(f);
      ws.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
    });
    answer = { status: 503, headers: {}, body: 'down', reset: false };
    const port = (wss.address() as AddressInfo).port;
    const stream = openWsDepthStream({
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      restBaseUrl: baseUrl,
      wsBaseUrl: `ws://127.0.0.1:${port}`,
      validateSymbols: false,
      trades: true,
      stopAtMs: Date.now() + 1200,
      reconnectBackoff: { baseMs: 50, maxMs: 200 },
    });
    try {
      let items = 0;
      for await (const _ of stream) items++;
      expect(items).toBeGreaterThan(0);
      expect(stream.stats.malformed).toBeGreaterThan(0);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  it('the dashboard answers any request target with an HTTP status and keeps serving', async () => {
    const dashboard = await DashboardServer.start({ port: 0 });
    const port = Number(new URL(dashboard.url).port);
    const target = fc.oneof(
      fc.constantFrom(
        '/',
        '//',
        '///x',
        '//x/ws',
        '/ws',
        '/api/state',
        '/healthz',
        '*',
        'http://x/',
        '/%00',
        '/..',
      ),
      fc.stringMatching(/^\/[\x21-\x7e]{0,30}$/),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          target,
          fc.constantFrom('GET', 'HEAD', 'POST'),
          fc.boolean(),
          async (path, method, upgrade) => {
            const head = await rawRequest(port, path, method, upgrade);
            expect(head).toMatch(/^HTTP\/1\.1 \d{3}/);
          },
        ),
        { numRuns: 150 },
      );
      expect(await rawRequest(port, '/healthz', 'GET', false)).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      await dashboard.close();
    }
  });

  it('the simulator answers any request with an HTTP status and keeps serving', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'api',
        'v3',
        'depth',
        'exchangeInfo',
        'fapi',
        'v1',
        'ticker',
        'time',
        '..',
        '%00',
        '%ZZ',
      ),
      fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/),
    );
    const query = fc.dictionary(
      fc.constantFrom('symbol', 'symbols', 'limit', 'fromId', 'startTime', 'x', '__proto__'),
      fc.oneof(
        fc.stringMatching(/^[\x21-\x7e]{0,20}$/),
        fc.constantFrom('BTCUSDT', '["BTCUSDT","ETHUSDT"]', '[', '5000', '-1', '1e999', 'NaN'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 4 }),
        query,
        fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE'),
        async (parts, q, method) => {
          const url = `${sim.url}/${parts.join('/')}?${new URLSearchParams(q).toString()}`;
          // Paths starting with "//" included: new URL('//', base) used to throw inside the handler and end
          // `obi sim`; it now answers 400.
          const res = await fetch(url, { method, signal: AbortSignal.timeout(5000) });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          await res.arrayBuffer();
        },
      ),
      { numRuns: 150 },
    );
    const ok = await fetch(`${sim.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(ok.status).toBe(200);
  });

  it('fault specs: rules or a ConfigError naming the problem', () => {
    const token = fc.oneof(
      fc.constantFrom(
        'ws-gap',
        'rest-5xx',
        'rest-slow',
        'nope',
        '0.5',
        '2x',
        '0',
        '1.5',
        'ms=100',
        'status=404',
        'symbol=btcusdt',
        'retryAfter=-1',
        'endpoint=*',
        'x=1',
        '',
      ),
      fc.string({ maxLength: 8 }),
    );
    const spec = fc.oneof(
      fc
        .array(
          fc.array(token, { maxLength: 4 }).map((t) => t.join(':')),
          { maxLength: 4 },
        )
        .map((items) => items.join(',')),
      fc.json(),
      fc.string(),
    );
    fc.assert(
      fc.property(spec, (text) => {
        try {
          for (const rule of parseFaultSpec(text)) expect(typeof rule.kind).toBe('string');
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.message).toMatch(/fault/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
