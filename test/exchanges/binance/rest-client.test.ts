import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpError,
  IpBannedError,
  NetworkError,
  ParseError,
  RateLimitError,
  UnknownSymbolError,
} from '../../../src/errors.js';
import { BinanceRestClient, MIN_BAN_MS } from '../../../src/exchanges/binance/rest-client.js';
import { startSimulator } from '../../../src/exchanges/simulator/server.js';
import { describeNetworkError } from '../../../src/net/http-client.js';
import { RequestTimeoutError } from '../../../src/net/request-timeout-error.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Answers by path: each route is what a Binance server (or a proxy in front of it) would send. */
const ROUTES: Record<string, Handler> = {
  '/ok': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-mbx-used-weight-1m': '42' });
    res.end('{"lastUpdateId":7,"bids":[],"asks":[]}');
  },
  '/echo': (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url }));
  },
  '/429': (_req, res) => {
    res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
    res.end('{"code":-1003,"msg":"Too many requests."}');
  },
  '/429-no-header': (_req, res) => {
    res.writeHead(429);
    res.end();
  },
  '/418': (_req, res) => {
    res.writeHead(418, { 'retry-after': '120' });
    res.end('{"code":-1003,"msg":"Way too many requests; IP banned."}');
  },
  '/418-no-header': (_req, res) => {
    res.writeHead(418);
    res.end();
  },
  '/1121': (_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"code":-1121,"msg":"Invalid symbol."}');
  },
  '/503-html': (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/html' });
    res.end('<html><body>Service Unavailable</body></html>');
  },
  '/403': (_req, res) => {
    res.writeHead(403);
    res.end();
  },
  '/malformed': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"lastUpdateId":7,"bids":[');
  },
  '/hang': () => {
    // never answers
  },
  '/hang-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"lastUpdateId":');
  },
};

let server: Server;
let baseUrl: string;
const T = 1_700_000_000_000;
const clock = (): number => T;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = ROUTES[new URL(req.url ?? '/', 'http://x').pathname];
    if (route === undefined) {
      res.writeHead(404);
      res.end();
    } else route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(path: string, query: Record<string, string> = {}, timeoutMs = 2000): Promise<unknown> {
  const client = new BinanceRestClient({ baseUrl, now: clock, timeoutMs });
  try {
    await client.get(path, query);
  } catch (error) {
    return error;
  } finally {
    await client.close();
  }
  throw new Error(`expected GET ${path} to fail`);
}

describe('BinanceRestClient', () => {
  it('returns body, status, used weight and the clock times', async () => {
    const client = new BinanceRestClient({ baseUrl, now: clock });
    const res = await client.get('/ok', { symbol: 'BTCUSDT', limit: 5 });
    await client.close();
    expect(res).toEqual({
      url: `${baseUrl.slice(0, -1)}/ok?symbol=BTCUSDT&limit=5`,
      status: 200,
      body: { lastUpdateId: 7, bids: [], asks: [] },
      usedWeight1m: 42,
      sentAtMs: T,
      receivedAtMs: T,
    });
  });

  it('encodes query values', async () => {
    const client = new BinanceRestClient({ baseUrl });
    const res = await client.get('/echo', { symbols: '["BTCUSDT","ETHUSDT"]' });
    await client.close();
    expect(res.body).toEqual({ url: '/echo?symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D' });
    expect(res.usedWeight1m).toBeNull();
  });

  it('maps 429 to RateLimitError with Retry-After in ms', async () => {
    const error = await failure('/429');
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3000);
    expect((error as RateLimitError).message).toMatch(
      /HTTP 429 .*code -1003: Too many requests\..*retry after 3000 ms/,
    );
  });

  it('without Retry-After, a 429 waits for the minute to roll over', async () => {
    const error = await failure('/429-no-header');
    expect((error as RateLimitError).retryAfterMs).toBe(60_000 - (T % 60_000));
  });

  it('maps 418 to IpBannedError saying until when', async () => {
    const error = await failure('/418');
    expect(error).toBeInstanceOf(IpBannedError);
    expect((error as IpBannedError).bannedUntilMs).toBe(T + 120_000);
    expect((error as Error).message).toContain(new Date(T + 120_000).toISOString());
    const bare = await failure('/418-no-header');
    expect((bare as IpBannedError).bannedUntilMs).toBe(T + MIN_BAN_MS);
  });

  it('maps -1121 to UnknownSymbolError naming the symbol', async () => {
    const error = await failure('/1121', { symbol: 'BTCUSTD' });
    expect(error).toBeInstanceOf(UnknownSymbolError);
    expect((error as UnknownSymbolError).symbol).toBe('BTCUSTD');
  });

  it('maps other statuses to HttpError with the Binance code when there is one', async () => {
    const html = await failure('/503-html');
    expect(html).toBeInstanceOf(HttpError);
    expect([(html as HttpError).status, (html as HttpError).code]).toEqual([503, undefined]);
    expect((html as Error).message).toMatch(/server error.*Service Unavailable/);
    const waf = await failure('/403');
    expect((waf as Error).message).toMatch(/HTTP 403 .*web application firewall/);
    const missing = await failure('/nope');
    expect((missing as HttpError).status).toBe(404);
  });

  it('maps a 200 with a broken body to ParseError', async () => {
    const error = await failure('/malformed');
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toMatch(/invalid JSON from GET .*\/malformed/);
  });

  it('times out on a server that never answers, and on a body that never ends', async () => {
    for (const path of ['/hang', '/hang-body']) {
      const error = await failure(path, {}, 100);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as RequestTimeoutError).timeoutMs).toBe(100);
      expect((error as Error).message).toMatch(/no complete answer from 127\.0\.0\.1:\d+ within 100 ms/);
    }
  });

  it('rejects with the caller’s abort reason, not a NetworkError', async () => {
    const client = new BinanceRestClient({ baseUrl });
    const controller = new AbortController();
    const pending = client.get('/hang', {}, { signal: controller.signal });
    const reason = new Error('user stop');
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await client.close();
  });

  it('names the host when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new BinanceRestClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await client.get('/ok').catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(
      new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)`),
    );
  });
});

describe('describeNetworkError', () => {
  const url = 'https://data-api.binance.vision/api/v3/depth?symbol=BTCUSDT';
  const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });

  it('explains DNS, TLS, resets and unknown failures, naming the host', () => {
    expect(describeNetworkError(withCode('ENOTFOUND'), url).message).toMatch(
      /^cannot resolve host data-api\.binance\.vision \(DNS lookup failed\)/,
    );
    expect(
      describeNetworkError(new Error('fetch failed', { cause: withCode('CERT_HAS_EXPIRED') }), url).message,
    ).toMatch(
      /TLS certificate of data-api\.binance\.vision was not accepted \(CERT_HAS_EXPIRED\).*verifyTls: false/,
    );
    expect(describeNetworkError(withCode('SELF_SIGNED_CERT_IN_CHAIN'), url).message).toMatch(
      /NODE_EXTRA_CA_CERTS/,
    );
    expect(describeNetworkError(new AggregateError([withCode('ECONNREFUSED')]), url).message).toMatch(
      /connection refused/,
    );
    expect(describeNetworkError(withCode('UND_ERR_SOCKET'), url).message).toMatch(/closed mid-request/);
    const odd = describeNetworkError(new Error('weird'), url);
    expect(odd.message).toBe(`request to data-api.binance.vision failed: weird [GET ${url}]`);
    expect(odd.url).toBe(url);
    expect(odd.cause).toBeInstanceOf(Error);
  });
});

describe('many requests sharing one stop signal', () => {
  /** Runs `body` and returns the warnings Node emitted meanwhile (emitWarning reports on a later tick). */
  async function warningsDuring(body: () => Promise<void>): Promise<Error[]> {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      await body();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    return warnings;
  }

  it('50 concurrent snapshots: no MaxListenersExceededWarning, one listener in flight, none after', async () => {
    const sim = await startSimulator({ autoTick: false });
    const client = new BinanceRestClient({ baseUrl: sim.url });
    const stop = new AbortController();
    let inFlight = -1;
    try {
      const warnings = await warningsDuring(async () => {
        const pending = Array.from({ length: 50 }, () =>
          client.get('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5 }, { signal: stop.signal }),
        );
        inFlight = getEventListeners(stop.signal, 'abort').length;
        const answers = await Promise.all(pending);
        expect(answers.every((a) => a.status === 200)).toBe(true);
      });
      expect(warnings.map((w) => w.name)).toEqual([]);
      expect(inFlight).toBe(1);
      expect(getEventListeners(stop.signal, 'abort')).toEqual([]);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('stopping with 50 in flight rejects each with the reason and leaves no listener', async () => {
    const sim = await startSimulator({ autoTick: false, faults: 'rest-hang:1' });
    const client = new BinanceRestClient({ baseUrl: sim.url });
    const stop = new AbortController();
    const reason = new Error('stop');
    try {
      const warnings = await warningsDuring(async () => {
        const pending = Array.from({ length: 50 }, () =>
          client
            .get('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5 }, { signal: stop.signal })
            .catch((e: unknown) => e),
        );
        // Let them reach the hanging server first.
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
        stop.abort(reason);
        expect(await Promise.all(pending)).toEqual(Array.from({ length: 50 }, () => reason));
      });
      expect(warnings.map((w) => w.name)).toEqual([]);
      expect(getEventListeners(stop.signal, 'abort')).toEqual([]);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
