/**
 * The bad-input matrix (docs/bad-input.md) with the real CLI: each wrong flag, unknown symbol, unreachable
 * host, TLS failure, full disk, unwritable path, existing output and invalid input gives the documented exit
 * code and a one-line message that names the problem and what to do — never a stack trace. Everything is
 * local: the simulator, closed ports, a plain-HTTP port spoken to over TLS, a self-signed HTTPS server.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { ensureBuilt, obi, type Finished } from './cli-process.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/seed/snapshots.ndjson');

let sim: RunningSimulator;
/** A venue that bans this IP at the first depth request. */
let banning: RunningSimulator;
let dir: string;
let closedPort: number;
let selfSigned: HttpsServer | null = null;
let selfSignedUrl: string | null = null;

/** Returns a port that was free a moment ago and has nothing listening on it. */
async function closedLocalPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Starts an HTTPS server with a fresh self-signed certificate (needs openssl; null without it). */
async function selfSignedServer(): Promise<HttpsServer | null> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"code":-1,"msg":"not here"}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'obi-bad-input-'));
  sim = await startSimulator({ seed: 9 });
  banning = await startSimulator({ seed: 10, faults: 'rest-418:retryAfter=120' });
  closedPort = await closedLocalPort();
  selfSigned = await selfSignedServer();
  if (selfSigned !== null) selfSignedUrl = `https://127.0.0.1:${(selfSigned.address() as AddressInfo).port}`;
  writeFileSync(join(dir, 'garbage.txt'), 'hello\nworld\n');
  writeFileSync(join(dir, 'a-file'), 'x');
  writeFileSync(
    join(dir, 'corrupt.ndjson.gz'),
    Buffer.concat([
      gzipSync('{"obi_recording":1,"created_ms":1,"exchange":"binance","market":"spot"}\n'),
      Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ]),
  );
  writeFileSync(
    join(dir, 'future.ndjson'),
    '{"obi_recording":2,"created_ms":1,"exchange":"binance","market":"spot"}\n',
  );
  writeFileSync(join(dir, 'other-columns.csv'), 'timestamp,obi,symbol\n');
});

afterAll(async () => {
  await sim.close();
  await banning.close();
  await new Promise<void>((done) => (selfSigned === null ? done() : selfSigned.close(() => done())));
});

/** Output flags into a fresh subdirectory. */
const out = (): string[] => {
  const d = fresh();
  return ['--csv', `${d}/x.csv`, '--json', `${d}/m.json`];
};
/** The live-source flags that point collect at the local simulator, with fresh outputs (flags given later win). */
const venue = (): string[] => [
  '--base-url',
  sim.url,
  '--ws-url',
  sim.wsUrl,
  '--minutes',
  '0.02',
  '--quiet',
  ...out(),
];

interface Case {
  readonly name: string;
  readonly args: () => string[];
  readonly code: number;
  /** The message must match every one of these. */
  readonly says: readonly RegExp[];
  readonly skip?: () => boolean;
  /** Further checks on the run. */
  readonly also?: (r: Finished) => void;
}

let n = 0;
/** A fresh subdirectory's name, so cases do not see each other's files. */
const fresh = (): string => {
  n++;
  mkdirSync(join(dir, `c${n}`));
  return `c${n}`;
};

const CASES: Case[] = [
  {
    name: 'a value out of range',
    args: () => ['collect', '--levels', '0'],
    code: 2,
    says: [/--levels/, /expected a whole number >= 1/],
  },
  {
    name: 'an unknown flag',
    args: () => ['collect', '--no-such-flag'],
    code: 2,
    says: [/unknown option '--no-such-flag'/],
  },
  {
    name: 'a value not among the choices',
    args: () => ['collect', '--mode', 'stream'],
    code: 2,
    says: [/Allowed choices are ws, poll/],
  },
  {
    name: 'a websocket interval below 100 ms',
    args: () => ['collect', '--interval', '0.05', ...venue()],
    code: 2,
    says: [/--interval 0.05/, /--sample event/],
  },
  {
    name: 'a base URL that is not http(s)',
    args: () => ['collect', '--base-url', 'ftp://x'],
    code: 2,
    says: [/--base-url must use http or https/],
  },
  {
    name: 'credentials in a URL',
    args: () => ['collect', '--base-url', 'http://me:secret@127.0.0.1:1'],
    code: 2,
    says: [/must not carry a user name or password/, /use http:\/\/127\.0\.0\.1:1/],
    also: (r) => expect(r.stderr).not.toContain('secret'),
  },
  {
    name: '--resume with --force',
    args: () => ['collect', '--resume', '--force'],
    code: 2,
    says: [/give one of the two/],
  },
  {
    name: 'an unknown symbol (websocket)',
    args: () => ['collect', '--symbol', 'BTCUSDX', ...venue()],
    code: 3,
    says: [/unknown symbol BTCUSDX; did you mean BTCUSDT\?/],
  },
  {
    name: 'an unknown symbol (poll)',
    args: () => ['collect', '--mode', 'poll', '--symbol', 'ETHUSD', ...venue()],
    code: 3,
    says: [/unknown symbol ETHUSD; did you mean ETHUSDT\?/],
  },
  {
    name: 'an unreachable host',
    args: () => [
      'collect',
      '--base-url',
      `http://127.0.0.1:${closedPort}`,
      '--ws-url',
      `ws://127.0.0.1:${closedPort}`,
    ],
    code: 3,
    says: [/cannot connect to 127\.0\.0\.1:\d+ \(connection refused\)/, /is the server running/],
  },
  {
    // The dashboard's server opens before the sink fails: it must be closed again, or the process would
    // never exit (the case's 30 s timeout kills it, and the exit code is then wrong).
    name: 'an unreachable PostgreSQL sink, with the dashboard open',
    args: () => [
      'collect',
      ...venue(),
      '--dashboard',
      '127.0.0.1:0',
      '--sink',
      `postgres://obi@127.0.0.1:${closedPort}/obi`,
    ],
    code: 5,
    says: [/cannot connect to PostgreSQL at postgres:\/\/obi@127\.0\.0\.1:\d+\/obi/, /is the server running/],
  },
  {
    name: 'TLS to a plain-HTTP server',
    args: () => [
      'collect',
      '--mode',
      'poll',
      '--base-url',
      sim.url.replace('http:', 'https:'),
      '--minutes',
      '0.02',
    ],
    code: 3,
    says: [/TLS/, /not accepted/],
  },
  {
    name: 'a self-signed certificate',
    args: () => ['collect', '--mode', 'poll', '--base-url', selfSignedUrl ?? '', ...out()],
    code: 3,
    says: [
      /TLS certificate of 127\.0\.0\.1:\d+ was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      /NODE_EXTRA_CA_CERTS/,
    ],
    skip: () => selfSignedUrl === null,
  },
  {
    name: 'a self-signed certificate with --no-verify-ssl (TLS passes; the server answers 404)',
    args: () => [
      'collect',
      '--mode',
      'poll',
      '--base-url',
      selfSignedUrl ?? '',
      '--no-verify-ssl',
      '--minutes',
      '0.02',
    ],
    code: 3,
    says: [/HTTP 404/],
    skip: () => selfSignedUrl === null,
  },
  {
    name: 'an IP ban (HTTP 418, poll mode)',
    args: () => [
      'collect',
      '--mode',
      'poll',
      '--base-url',
      banning.url,
      '--minutes',
      '0.05',
      '--quiet',
      ...out(),
    ],
    code: 4,
    says: [/HTTP 418 .*this IP is banned until \d{4}-/, /send nothing from this IP until then/],
  },
  {
    name: 'a full disk (CSV, live run)',
    args: () => [
      'collect',
      ...venue(),
      '--minutes',
      '0.2',
      '--csv',
      '/dev/full',
      '--json',
      `${fresh()}/m.json`,
      '--force',
    ],
    code: 5,
    says: [/cannot write \/dev\/full: no space left on device \(ENOSPC\)/],
  },
  {
    name: 'a full disk (metrics JSON)',
    args: () => ['replay', FIXTURE, '--csv', `${fresh()}/x.csv`, '--json', '/dev/full', '--force', '--quiet'],
    code: 5,
    says: [/\/dev\/full/, /ENOSPC/],
  },
  {
    name: 'a missing output directory',
    args: () => ['replay', FIXTURE, '--csv', 'no-such-dir/x.csv'],
    code: 5,
    says: [/cannot write no-such-dir\/x\.csv: the directory .*no-such-dir does not exist; create it first/],
  },
  {
    name: 'an output path under a file',
    args: () => ['replay', FIXTURE, '--csv', 'a-file/x.csv'],
    code: 5,
    says: [/a-file is not a directory/],
  },
  {
    name: 'a recording path under a file',
    args: () => ['collect', ...venue(), '--csv', `${fresh()}/x.csv`, '--record', 'a-file/rec'],
    code: 5,
    says: [/cannot record to a-file\/rec/],
  },
  {
    name: 'an existing output (collect offers --resume)',
    args: () => ['collect', ...venue(), '--csv', 'garbage.txt'],
    code: 5,
    says: [/garbage\.txt already exists; pass --resume to continue .*--force to overwrite it/],
  },
  {
    name: 'resuming a CSV with other columns',
    args: () => [
      'collect',
      ...venue(),
      '--csv',
      'other-columns.csv',
      '--json',
      `${fresh()}/m.json`,
      '--resume',
    ],
    code: 2,
    says: [
      /cannot resume other-columns\.csv: it was written with other columns \(column 2 is "obi" in the file, "lastUpdateId"/,
      /resume with the flags of the run that wrote it/,
    ],
  },
  {
    name: 'a missing recording',
    args: () => ['replay', 'nope.ndjson'],
    code: 2,
    says: [/cannot read nope\.ndjson: no such file or directory/],
  },
  {
    name: 'a file that is not a recording',
    args: () => ['replay', 'garbage.txt', '--csv', `${fresh()}/x.csv`],
    code: 6,
    says: [/garbage\.txt is neither an obi recording .* nor a tardis\.dev/],
  },
  {
    name: 'a corrupt gzip recording',
    args: () => ['replay', 'corrupt.ndjson.gz', '--csv', `${fresh()}/x.csv`],
    code: 6,
    says: [/corrupt\.ndjson\.gz/, /corrupt gzip data|not an obi recording/],
  },
  {
    name: 'a recording from a newer obi',
    args: () => ['replay', 'future.ndjson', '--csv', `${fresh()}/x.csv`],
    code: 6,
    says: [/recording format version 2 is newer than this obi reads \(1\); upgrade obi/],
  },
  {
    name: 'analyze of a file that is not a feature CSV',
    args: () => ['analyze', 'garbage.txt'],
    code: 6,
    says: [/not a feature CSV/],
  },
  {
    name: 'a port out of range',
    args: () => ['sim', '--port', '99999'],
    code: 2,
    says: [/expected a port from 0/],
  },
  {
    name: 'a port in use',
    args: () => ['sim', '--port', String(sim.port)],
    code: 2,
    says: [/cannot listen on 127\.0\.0\.1:\d+: port \d+ is already in use; choose another with --port/],
  },
];

describe('bad input: message and exit code', () => {
  it('a run that fails before its first row leaves no file, so the same command can run again', async () => {
    const args = ['collect', '--symbol', 'BTCUSDX', ...venue(), '--record', `${fresh()}/rec.ndjson.gz`];
    for (let i = 0; i < 2; i++) {
      const r = await obi(args, dir);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/unknown symbol BTCUSDX/);
    }
  });

  it('every case of the matrix', async () => {
    const failures: string[] = [];
    const queue = CASES.filter((c) => c.skip?.() !== true);
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const args = c.args();
        // Cases run three at a time in one directory: a collect case with the default outputs could find
        // another case's CSV there (exit 5 instead of its own error), so each gets outputs of its own.
        if (args[0] === 'collect' && !args.includes('--csv') && !args.includes('--resume'))
          args.push(...out());
        const r = await obi(args, dir, { timeoutMs: 30_000 });
        const message = r.stderr.trim();
        const problems = [
          ...(r.code === c.code ? [] : [`exit ${r.code}, expected ${c.code}`]),
          ...c.says.filter((re) => !re.test(message)).map((re) => `no ${String(re)}`),
          ...(/\n\s+at /.test(r.stderr) ? ['a stack trace'] : []),
        ];
        try {
          c.also?.(r);
        } catch (error) {
          problems.push(String(error));
        }
        if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')}\n    stderr: ${message}`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(failures.join('\n')).toBe('');
  }, 120_000);
});
