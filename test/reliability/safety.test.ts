/**
 * Safety: servers listen on 127.0.0.1 unless told otherwise; nothing from the input is evaluated; outputs
 * are never overwritten without --force (and a refused run creates nothing); no credential is needed, sent
 * or written.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/exchanges/simulator/server.js';
import { DashboardServer } from '../../src/dashboard/dashboard-server.js';
import { parseDashboardAddress } from '../../src/cli/run-extras.js';
import { ObiProcess, after, ensureBuilt, obi, ROOT } from './cli-process.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/seed/snapshots.ndjson');
const children: ObiProcess[] = [];

beforeAll(() => ensureBuilt());
afterAll(async () => {
  await Promise.all(children.map((p) => p.stop('SIGKILL')));
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/** Resolves true when a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until the process has printed a line matching `re`; returns the match. */
async function printed(p: ObiProcess, re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 150; i++) {
    const m = re.exec(p.stdout);
    if (m !== null) return m;
    if (!p.running) break;
    await after(100);
  }
  throw new Error(`no ${String(re)} in: ${p.stdout} ${p.stderr}`);
}

describe('servers bind to loopback by default', () => {
  it('the library defaults: simulator, dashboard, --dashboard', async () => {
    const sim = await startSimulator();
    const dashboard = await DashboardServer.start({ port: 0 });
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      await dashboard.close();
      await sim.close();
    }
    expect(parseDashboardAddress(true)).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(parseDashboardAddress('9000').host).toBe('127.0.0.1');
  });

  it('obi sim and obi serve listen on 127.0.0.1 only, and stop cleanly on Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-safety-'));
    const sim = new ObiProcess(['sim', '--port', '0'], dir);
    const serve = new ObiProcess(['serve', '--port', '0'], dir);
    children.push(sim, serve);
    const simPort = Number((await printed(sim, /simulated exchange on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const servePort = Number((await printed(serve, /dashboard on http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    expect(serve.stdout).not.toContain('other machines on the network');
    for (const port of [simPort, servePort]) {
      expect(await accepts('127.0.0.1', port)).toBe(true);
      const outside = externalAddress();
      if (outside !== null) expect(await accepts(outside, port), `${outside}:${port}`).toBe(false);
    }
    for (const p of [sim, serve]) {
      const end = await p.stop('SIGINT');
      expect(end.code, end.stderr).toBe(0);
    }
  });
});

describe('nothing from the input is evaluated', () => {
  it('no eval, Function constructor, vm, child processes or environment reads in the sources', () => {
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const path = join(d, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(entry.name)) {
          const text = readFileSync(path, 'utf8');
          for (const re of [
            /\beval\s*\(/,
            /new Function\s*\(/,
            /from 'node:vm'/,
            /child_process/,
            /process\.env\b/,
          ]) {
            if (re.test(text)) offenders.push(`${path}: ${String(re)}`);
          }
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });
});

describe('outputs are never overwritten without --force', () => {
  it('refuses an existing CSV, JSON, Parquet file, report or recording, and creates nothing', async () => {
    const cases: { name: string; args: (d: string) => string[] }[] = [
      { name: 'x.csv', args: () => ['replay', FIXTURE, '--csv', 'x.csv', '--json', 'x.json'] },
      { name: 'x.json', args: () => ['replay', FIXTURE, '--csv', 'x.csv', '--json', 'x.json'] },
      {
        name: 'x.parquet',
        args: () => ['replay', FIXTURE, '--csv', 'x.csv', '--json', 'x.json', '--parquet', 'x.parquet'],
      },
      {
        name: 'x.html',
        args: () => ['replay', FIXTURE, '--csv', 'x.csv', '--json', 'x.json', '--report', 'x.html'],
      },
      {
        name: 'rec.ndjson.gz',
        args: () => [
          'collect',
          '--base-url',
          'http://127.0.0.1:1',
          '--csv',
          'x.csv',
          '--json',
          'x.json',
          '--record',
          'rec.ndjson.gz',
        ],
      },
      { name: 'x.html', args: () => ['report', '--csv', FIXTURE, '--out', 'x.html'] },
      { name: 'seed_metrics.json', args: () => ['analyze', 'seed.csv'] },
    ];
    await Promise.all(
      cases.map(async (c) => {
        const dir = mkdtempSync(join(tmpdir(), 'obi-clobber-'));
        if (c.name === 'seed_metrics.json') {
          writeFileSync(
            join(dir, 'seed.csv'),
            readFileSync(resolve(ROOT, 'test/fixtures/seed/expected.csv')),
          );
        }
        writeFileSync(join(dir, c.name), 'precious');
        const before = readdirSync(dir).sort();
        const r = await obi(c.args(dir), dir);
        expect(r.code, `${c.name}: ${r.stderr}`).toBe(5);
        expect(r.stderr, c.name).toContain(`${c.name} already exists`);
        expect(r.stderr, c.name).toContain('--force');
        expect(readFileSync(join(dir, c.name), 'utf8'), c.name).toBe('precious');
        expect(readdirSync(dir).sort(), c.name).toEqual(before);
      }),
    );
  });
});

describe('no secrets', () => {
  it('needs no key, sends no credential, and writes none of the environment', async () => {
    const headers: IncomingHttpHeaders[] = [];
    const venue = createServer((req, res) => {
      headers.push(req.headers);
      const url = new URL(req.url ?? '/', 'http://venue');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/v3/exchangeInfo') {
        res.end(JSON.stringify({ symbols: [{ symbol: 'BTCUSDT', status: 'TRADING' }], rateLimits: [] }));
      } else if (url.pathname === '/api/v3/depth') {
        res.end(
          JSON.stringify({ lastUpdateId: headers.length, bids: [['100.0', '1']], asks: [['100.1', '2']] }),
        );
      } else {
        res.statusCode = 404;
        res.end('{"code":-1,"msg":"no"}');
      }
    });
    await new Promise<void>((done) => venue.listen(0, '127.0.0.1', done));
    const port = (venue.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'obi-secrets-'));
    const secret = 'sekrit-4f1d9c';
    try {
      const r = await obi(
        [
          'collect',
          '--mode',
          'poll',
          '--base-url',
          `http://127.0.0.1:${port}`,
          '--interval',
          '0.2',
          '--minutes',
          '0.02',
          '--record',
          'rec.ndjson.gz',
          '--quiet',
        ],
        dir,
        { env: { ...process.env, BINANCE_API_KEY: secret, BINANCE_API_SECRET: secret, API_KEY: secret } },
      );
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await new Promise<void>((done) => venue.close(() => done()));
    }
    expect(headers.length).toBeGreaterThan(2);
    for (const h of headers) {
      expect(Object.keys(h)).not.toContain('authorization');
      expect(Object.keys(h)).not.toContain('x-mbx-apikey');
      expect(Object.keys(h)).not.toContain('cookie');
      expect(JSON.stringify(h)).not.toContain(secret);
    }
    const written = readdirSync(dir).map((f) => {
      const bytes = readFileSync(join(dir, f));
      return f.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    });
    expect(written.length).toBeGreaterThanOrEqual(3);
    for (const text of written) expect(text).not.toContain(secret);
    expect(existsSync(join(dir, 'level43_orderbook_imbalance.csv'))).toBe(true);
  });
});
