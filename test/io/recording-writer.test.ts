import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import type { RecordingLine } from '../../src/io/recording-format.js';
import { RecordingWriter, rotatedFileName } from '../../src/io/recording-writer.js';
import { readRecording } from '../../src/io/replay.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-recwriter-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const DEPTH = {
  lastUpdateId: 103,
  bids: [['61837.62000000', '1.00000000']],
  asks: [['61837.63000000', '0.25000000']],
};
const DIFF = {
  stream: 'btcusdt@depth@100ms',
  data: { e: 'depthUpdate', E: 1000, s: 'BTCUSDT', U: 104, u: 105, b: [], a: [['61837.63000000', '0']] },
};
const TRADE = { e: 'trade', E: 1001, s: 'BTCUSDT', t: 7, p: '61837.63', q: '0.5', T: 1001, m: true };

const LINES: RecordingLine[] = [
  { t: 1000.5, k: 'rest_depth', s: 'BTCUSDT', lim: 20, ts: 990, d: DEPTH },
  { t: 1001.25, k: 'ws', d: DIFF },
  {
    t: 1002,
    k: 'ws',
    d: { stream: 'btcusdt@bookTicker', data: { u: 1, s: 'BTCUSDT', b: '1', B: '1', a: '2', A: '1' } },
  },
  { t: 1003, k: 'trade', s: 'BTCUSDT', d: TRADE },
  { t: 1004, k: 'rest_missing', s: 'BTCUSDT', r: 'HTTP 503', ts: 1003 },
];

async function writeAll(
  path: string,
  lines: readonly RecordingLine[],
  extra: object = {},
): Promise<RecordingWriter> {
  const writer = await RecordingWriter.open({
    path,
    exchange: 'binance',
    market: 'spot',
    note: 'test',
    config: { symbols: ['BTCUSDT'] },
    now: () => 1_723_161_250_000,
    ...extra,
  });
  for (const line of lines) writer.write(line);
  await writer.close();
  return writer;
}

describe('RecordingWriter → readRecording round trip', () => {
  it.each(['plain.ndjson', 'zipped.ndjson.gz'])(
    '%s: the header and every line come back as events',
    async (name) => {
      const path = join(dir, name);
      await writeAll(path, LINES);
      const bytes = await readFile(path);
      expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(name.endsWith('.gz'));
      const text = name.endsWith('.gz') ? gunzipSync(bytes).toString() : bytes.toString();
      expect(text.split('\n')[0]).toBe(
        '{"obi_recording":1,"created_ms":1723161250000,"exchange":"binance","market":"spot","note":"test","config":{"symbols":["BTCUSDT"]}}',
      );
      expect(text.split('\n')[1]).toBe(
        '{"t":1000.5,"k":"rest_depth","s":"BTCUSDT","lim":20,"ts":990,"d":{"lastUpdateId":103,"bids":[["61837.62000000","1.00000000"]],"asks":[["61837.63000000","0.25000000"]]}}',
      );
      const reader = readRecording(path);
      const events = await collect(reader);
      expect(events.map((e) => [e.type, e.localTimeMs])).toEqual([
        ['snapshot', 1000.5],
        ['diff', 1001.25],
        ['trade', 1003],
        ['missing', 1004],
      ]);
      expect(events[0]).toMatchObject({
        lastUpdateId: 103,
        depthLimit: 20,
        requestTimeMs: 990,
        bids: DEPTH.bids,
      });
      expect(events[3]).toMatchObject({ reason: 'HTTP 503', requestTimeMs: 1003 });
      expect(reader.stats).toMatchObject({ lines: 6, events: 4, skippedKnown: 1, malformed: 0 });
      expect(reader.stats.header).toMatchObject({ note: 'test', created_ms: 1723161250000 });
    },
  );

  it('flush() puts every accepted line on disk as complete gzip members readable by standard gunzip', async () => {
    const path = join(dir, 'flushed.ndjson.gz');
    const writer = await RecordingWriter.open({ path, exchange: 'binance', market: 'spot' });
    writer.write(LINES[0] as RecordingLine);
    await writer.flush();
    expect(
      gunzipSync(await readFile(path))
        .toString()
        .split('\n'),
    ).toHaveLength(3);
    writer.write(LINES[1] as RecordingLine);
    writer.write(LINES[4] as RecordingLine);
    await writer.flush();
    // Still open, yet the file is already a valid (multi-member) gzip of whole lines.
    const lines = gunzipSync(await readFile(path))
      .toString()
      .split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    await writer.close();
    expect(writer.stats).toMatchObject({ lines: 3, files: [path] });
  });

  it('writes pending lines on its own every flushIntervalMs', async () => {
    const path = join(dir, 'timer.ndjson');
    const writer = await RecordingWriter.open({
      path,
      exchange: 'binance',
      market: 'spot',
      flushIntervalMs: 5,
    });
    writer.write(LINES[4] as RecordingLine);
    let text = '';
    for (let i = 0; i < 400 && !text.includes('rest_missing'); i++) {
      await new Promise((r) => setTimeout(r, 5));
      text = await readFile(path, 'utf8');
    }
    expect(text.split('\n')[1]).toBe('{"t":1004,"k":"rest_missing","s":"BTCUSDT","r":"HTTP 503","ts":1003}');
    await writer.close();
  });

  it('rotates a directory by size: every file has its own header and the directory reads in order', async () => {
    const path = join(dir, 'rotated-by-size');
    const lines: RecordingLine[] = Array.from({ length: 50 }, (_, i) => ({
      t: 1_723_161_250_000 + i * 10,
      k: 'rest_missing',
      s: 'BTCUSDT',
      r: `tick ${i}`,
      ts: 0,
    }));
    const writer = await writeAll(path, lines, { rotateBytes: 1000 });
    const names = (await readdir(path)).sort();
    expect(names.length).toBeGreaterThan(3);
    expect(writer.stats.files.map((f) => f.slice(path.length + 1))).toEqual(names);
    expect(names[0]).toBe(rotatedFileName(1_723_161_250_000, true));
    expect(names[0]).toBe('rec-20240808T235410.000Z.ndjson.gz');
    for (const [part, name] of names.entries()) {
      const text = gunzipSync(await readFile(join(path, name))).toString();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
      expect(JSON.parse(text.split('\n')[0] as string)).toMatchObject({ obi_recording: 1, part });
    }
    const reader = readRecording(path);
    const events = await collect(reader);
    expect(events.map((e) => (e.type === 'missing' ? e.reason : e.type))).toEqual(
      lines.map((_, i) => `tick ${i}`),
    );
    expect(reader.stats.files).toBe(names.length);
  });

  it('rotates a directory by the data time t, not the wall clock', async () => {
    const path = join(dir, 'rotated-by-time');
    const lines: RecordingLine[] = [0, 300, 600, 999, 1000, 1500, 2100].map((dt) => ({
      t: 1_700_000_000_000 + dt,
      k: 'rest_missing',
      s: 'X',
      r: String(dt),
      ts: 0,
    }));
    await writeAll(path, lines, { rotateMs: 1000, gzip: false });
    const names = (await readdir(path)).sort();
    expect(names).toEqual([
      rotatedFileName(1_700_000_000_000, false),
      rotatedFileName(1_700_000_001_000, false),
      rotatedFileName(1_700_000_002_100, false),
    ]);
    const counts = await Promise.all(
      names.map(async (n) => (await readFile(join(path, n), 'utf8')).trim().split('\n').length - 1),
    );
    expect(counts).toEqual([4, 2, 1]);
  });

  it('any sequence of lines, with any rotation size, reads back identically (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            dt: fc.double({ min: 0, max: 1e4, noNaN: true }),
            symbol: fc.string({ minLength: 1, maxLength: 12 }),
            reason: fc.string({ unit: 'grapheme', maxLength: 40 }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 200, max: 5000 }),
        fc.boolean(),
        async (items, rotateBytes, gzip) => {
          const path = join(dir, `prop-${run++}`);
          let t = 1_700_000_000_000;
          const lines: RecordingLine[] = items.map((item) => {
            t += item.dt;
            return { t, k: 'rest_missing', s: item.symbol, r: item.reason, ts: t - 1 };
          });
          await writeAll(path, lines, { rotateBytes, gzip });
          const events = await collect(readRecording(path));
          expect(events).toEqual(
            lines.map((line) => ({
              type: 'missing',
              exchange: 'binance',
              market: 'spot',
              symbol: line.s,
              reason: line.k === 'rest_missing' ? line.r : '',
              localTimeMs: line.t,
              requestTimeMs: line.t - 1,
            })),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('RecordingWriter errors', () => {
  it('refuses to overwrite an existing file unless forced', async () => {
    const path = join(dir, 'exists.ndjson');
    await writeFile(path, 'old\n');
    await expect(RecordingWriter.open({ path, exchange: 'binance', market: 'spot' })).rejects.toThrow(
      /already exists; refusing to overwrite/,
    );
    expect(await readFile(path, 'utf8')).toBe('old\n');
    await writeAll(path, LINES.slice(0, 1), { force: true });
    expect(await collect(readRecording(path))).toHaveLength(1);
  });

  it('reports an unwritable place as an OutputError with the path', async () => {
    const file = join(dir, 'no-such-dir', 'x.ndjson');
    const failure = RecordingWriter.open({ path: file, exchange: 'binance', market: 'spot' });
    await expect(failure).rejects.toThrow(OutputError);
    await expect(failure).rejects.toMatchObject({ path: file });
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    await expect(
      RecordingWriter.open({ path: join(blocker, 'sub'), exchange: 'b', market: 'spot' }),
    ).rejects.toThrow(OutputError);
  });

  it('rejects writes after close', async () => {
    const writer = await writeAll(join(dir, 'closed.ndjson'), []);
    expect(() => writer.write(LINES[0] as RecordingLine)).toThrow(OutputError);
    await writer.close();
  });

  it('surfaces a full disk (ENOSPC) from a background write on the next call', async () => {
    const { existsSync } = await import('node:fs');
    if (!existsSync('/dev/full')) return;
    const { symlink } = await import('node:fs/promises');
    const path = join(dir, 'full.ndjson');
    await symlink('/dev/full', path);
    const writer = await RecordingWriter.open({ path, exchange: 'b', market: 'spot', force: true }).catch(
      (error: unknown) => error,
    );
    // The header is flushed during open(), so the failure may already surface there.
    if (writer instanceof RecordingWriter) {
      writer.write(LINES[0] as RecordingLine);
      await expect(writer.close()).rejects.toThrow(/ENOSPC/);
    } else {
      expect(writer).toBeInstanceOf(OutputError);
      expect(String(writer)).toMatch(/ENOSPC/);
    }
  });
});
