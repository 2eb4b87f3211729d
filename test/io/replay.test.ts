import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/events.js';
import { ConfigError, ParseError } from '../../src/errors.js';
import { readRecording } from '../../src/io/replay.js';
import { ParsedDiff } from '../../src/core/book/parsed-diff.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FIXTURE = resolve(HERE, '../fixtures/recording/every-kind.ndjson');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  // Diffs read by the scanner are ParsedDiffs: compare them as the plain diffs they stand for.
  for await (const item of source) out.push(item instanceof ParsedDiff ? (item.toJSON() as T) : item);
  return out;
}

const HEADER = '{"obi_recording":1,"created_ms":1,"exchange":"binance","market":"spot"}';
const MISSING = (t: number): string =>
  `{"t":${t},"k":"rest_missing","s":"BTCUSDT","r":"timeout","ts":${t - 1}}`;

describe('readRecording on the hand-written fixture', () => {
  it('turns every kind of line into the documented event, or counts it', async () => {
    const reader = readRecording(FIXTURE);
    const events = await collect(reader);
    expect(events).toEqual<MarketEvent[]>([
      {
        type: 'diff',
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        firstUpdateId: 101,
        finalUpdateId: 104,
        prevFinalUpdateId: null,
        bids: [['61837.62000000', '1.00000000']],
        asks: [],
        exchangeTimeMs: 1723161250190,
        localTimeMs: 1723161250200.5,
      },
      {
        type: 'snapshot',
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        lastUpdateId: 103,
        bids: [
          ['61837.62000000', '1.00000000'],
          ['61837.61000000', '2.50000000'],
        ],
        asks: [['61837.63000000', '0.25000000']],
        depthLimit: 5,
        exchangeTimeMs: null,
        localTimeMs: 1723161250300,
        requestTimeMs: 1723161250250,
      },
      {
        type: 'trade',
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        tradeId: 3735683259,
        price: 61837.63,
        qty: 0.02,
        buyerIsMaker: false,
        exchangeTimeMs: 1723161250317,
        localTimeMs: 1723161250320,
      },
      {
        type: 'diff',
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        firstUpdateId: 105,
        finalUpdateId: 106,
        prevFinalUpdateId: null,
        bids: [],
        asks: [
          ['61837.63000000', '0.00000000'],
          ['61837.64000000', '3.00000000'],
        ],
        exchangeTimeMs: 1723161250390,
        localTimeMs: 1723161250400,
      },
      {
        type: 'missing',
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        reason: 'timeout after 8000 ms',
        localTimeMs: 1723161251000.75,
        requestTimeMs: 1723161250990,
      },
      {
        type: 'trade',
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        tradeId: 998877,
        price: 61837.64,
        qty: 0.5,
        buyerIsMaker: true,
        exchangeTimeMs: 1723161251089,
        localTimeMs: 1723161251100,
      },
    ]);
    const { stats } = reader;
    expect(stats).toMatchObject({
      files: 1,
      lines: 13,
      events: 6,
      malformed: 2,
      skippedKnown: 3,
      skippedUnknown: 1,
    });
    expect(stats.malformedExamples.map((m) => [m.line, m.source])).toEqual([
      [7, FIXTURE],
      [11, FIXTURE],
    ]);
    expect(stats.malformedExamples[0]?.reason).toBe('not JSON');
    expect(stats.malformedExamples[1]?.reason).toMatch(/"b"\[0\]/);
    expect(stats.header).toMatchObject({ obi_recording: 1, exchange: 'binance', market: 'spot' });
    expect(stats.header?.config).toEqual({ symbols: ['BTCUSDT'], depthLimit: 5 });
  });

  it('reads the same file gzip-compressed under a name that does not say so', async () => {
    const { readFile } = await import('node:fs/promises');
    const path = join(dir, 'fixture-renamed.ndjson');
    await writeFile(path, gzipSync(await readFile(FIXTURE)));
    const plain = await collect(readRecording(FIXTURE));
    expect(await collect(readRecording(path))).toEqual(plain);
  });

  it('uses the venue option over the header', async () => {
    const events = await collect(
      readRecording(FIXTURE, { venue: { exchange: 'binance-us', market: 'spot' } }),
    );
    expect(new Set(events.map((e) => e.exchange))).toEqual(new Set(['binance-us']));
  });
});

describe('readRecording: damaged and foreign input', () => {
  it('skips malformed lines, keeps the rest, and reports the first few with line numbers', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 40; i++) lines.push(i % 4 === 3 ? `{"t":${i},"k":` : MISSING(1000 + i));
    const path = join(dir, 'damaged.ndjson');
    await writeFile(path, lines.join('\n') + '\n');
    const reader = readRecording(path);
    const events = await collect(reader);
    expect(events).toHaveLength(30);
    expect(reader.stats.malformed).toBe(10);
    // Line 1 is the header; message i sits on line i + 2.
    expect(reader.stats.malformedExamples.map((m) => m.line)).toEqual([5, 9, 13, 17, 21]);
  });

  it('treats a truncated last line (an interrupted write) as one malformed line', async () => {
    const path = join(dir, 'truncated.ndjson');
    await writeFile(path, [HEADER, MISSING(10), MISSING(11), MISSING(12).slice(0, 20)].join('\n'));
    const reader = readRecording(path);
    expect(await collect(reader)).toHaveLength(2);
    expect(reader.stats.malformedExamples).toEqual([{ source: path, line: 4, reason: 'not JSON' }]);
  });

  it('reads a gzip file cut short up to where it stops', async () => {
    const body = [HEADER, ...Array.from({ length: 3000 }, (_, i) => MISSING(1000 + i))].join('\n') + '\n';
    const gz = gzipSync(body);
    const path = join(dir, 'cut.ndjson.gz');
    await writeFile(path, gz.subarray(0, Math.floor(gz.length * 0.7)));
    const reader = readRecording(path);
    const events = await collect(reader);
    expect(events.length).toBeGreaterThan(100);
    expect(events.length).toBeLessThan(3000);
    expect(reader.stats.malformed).toBeLessThanOrEqual(1);
    // What was read is a prefix, in order.
    expect(events.every((e, i) => e.localTimeMs === 1000 + i)).toBe(true);
  });

  it('fails with a ParseError, yielding nothing, when most lines are garbage', async () => {
    const path = join(dir, 'mostly-garbage.ndjson');
    await writeFile(
      path,
      [HEADER, MISSING(1), MISSING(2), 'garbage', '<html>', '{"x":1}', '[1,2]', 'null'].join('\n'),
    );
    const seen: MarketEvent[] = [];
    const reading = (async () => {
      for await (const event of readRecording(path)) seen.push(event);
    })();
    await expect(reading).rejects.toThrow(ParseError);
    await expect(reading).rejects.toThrow(/not an obi recording: 5 of the first 8 lines are malformed/);
    expect(seen).toEqual([]);
  });

  it('judges a long file on its first 1000 lines and fails before yielding', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 1500; i++) lines.push(i % 3 === 0 ? MISSING(i + 1) : `junk ${i}`);
    const path = join(dir, 'long-garbage.ndjson');
    await writeFile(path, lines.join('\n'));
    const seen: MarketEvent[] = [];
    const reading = (async () => {
      for await (const event of readRecording(path)) seen.push(event);
    })();
    await expect(reading).rejects.toThrow(/666 of the first 1000 lines/);
    expect(seen).toEqual([]);
  });

  it('fails on a binary file and on a tardis CSV with a message that names the file', async () => {
    const binary = join(dir, 'random.bin');
    await writeFile(binary, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)));
    await expect(collect(readRecording(binary))).rejects.toThrow(ParseError);
    const csv = join(dir, 'book.csv');
    await writeFile(csv, 'exchange,symbol,timestamp\nbinance,BTCUSDT,1\n');
    await expect(collect(readRecording(csv))).rejects.toThrow(`${csv}: not an obi recording`);
  });

  it('refuses a newer format version with a clear message', async () => {
    const path = join(dir, 'v2.ndjson');
    await writeFile(
      path,
      '{"obi_recording":2,"created_ms":1,"exchange":"binance","market":"spot"}\n' + MISSING(5),
    );
    await expect(collect(readRecording(path))).rejects.toThrow(
      /version 2 is newer than this obi reads \(1\)/,
    );
  });

  it('reads an empty file as no events, and a missing path as a ConfigError', async () => {
    const empty = join(dir, 'empty.ndjson');
    await writeFile(empty, '');
    expect(await collect(readRecording(empty))).toEqual([]);
    await expect(collect(readRecording(join(dir, 'nope.ndjson')))).rejects.toThrow(ConfigError);
  });

  it('never throws anything but ParseError on random lines (fuzz)', async () => {
    const validLine = fc.oneof(
      fc.constant(MISSING(5)),
      fc.constant(HEADER),
      fc.constant(
        '{"t":1,"k":"ws","d":{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"A","U":1,"u":2,"b":[],"a":[]}}}',
      ),
    );
    const jsonish = fc.jsonValue().map((v) => JSON.stringify(v));
    const recordish = fc
      .record({
        t: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)),
        k: fc.constantFrom('ws', 'rest_depth', 'rest_missing', 'trade', 'other', 7),
        s: fc.oneof(fc.string(), fc.constant(undefined)),
        lim: fc.oneof(fc.integer(), fc.double(), fc.string()),
        d: fc.oneof(
          fc.jsonValue(),
          fc.record({ stream: fc.string(), data: fc.jsonValue() }),
          fc.record({
            e: fc.constantFrom('depthUpdate', 'trade', 'aggTrade', 'bookTicker'),
            s: fc.string(),
            U: fc.jsonValue(),
            u: fc.jsonValue(),
            E: fc.jsonValue(),
            b: fc.jsonValue(),
            a: fc.jsonValue(),
            p: fc.jsonValue(),
            q: fc.jsonValue(),
            m: fc.jsonValue(),
            T: fc.jsonValue(),
            t: fc.jsonValue(),
          }),
          fc.record({ lastUpdateId: fc.jsonValue(), bids: fc.jsonValue(), asks: fc.jsonValue() }),
        ),
      })
      .map((r) => JSON.stringify(r));
    const header = fc
      .record({ obi_recording: fc.jsonValue(), exchange: fc.jsonValue(), market: fc.jsonValue() })
      .map((r) => JSON.stringify(r));
    const line = fc.oneof(validLine, jsonish, recordish, header, fc.string(), fc.constant(''));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), async (lines, gzip) => {
        const path = join(dir, `fuzz-${n++}.ndjson`);
        const text = lines.join('\n');
        await writeFile(path, gzip ? gzipSync(text) : text);
        const reader = readRecording(path);
        try {
          await collect(reader);
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
          return;
        }
        const s = reader.stats;
        expect(s.malformed * 2).toBeLessThanOrEqual(s.lines);
        expect(s.events + s.malformed + s.skippedKnown + s.skippedUnknown).toBeLessThanOrEqual(s.lines);
      }),
      { numRuns: 150 },
    );
  });
});

const DATA = resolve(HERE, '../../../shared/data/hftbacktest/spot');

describe.skipIf(!existsSync(DATA))(
  'readRecording on a real Binance capture (hftbacktest, spot BTCUSDT)',
  () => {
    it('counts the documented messages of btcusdt_20240808 after conversion to obi format', async () => {
      const { gunzipSync } = await import('node:zlib');
      const { readFile } = await import('node:fs/promises');
      const raw = gunzipSync(await readFile(join(DATA, 'btcusdt_20240808.gz'))).toString('utf8');
      // hftbacktest lines are `<receive ns> <json>`; a JSON without "stream" is the REST snapshot (limit 1000).
      const out = [HEADER];
      for (const line of raw.split('\n')) {
        if (line.length === 0) continue;
        const space = line.indexOf(' ');
        const t = Number(line.slice(0, space)) / 1e6;
        const json = line.slice(space + 1);
        out.push(
          json.startsWith('{"stream"')
            ? `{"t":${t},"k":"ws","d":${json}}`
            : `{"t":${t},"k":"rest_depth","s":"BTCUSDT","lim":1000,"ts":${t},"d":${json}}`,
        );
      }
      const path = join(dir, 'hftbacktest-spot.ndjson.gz');
      await writeFile(path, gzipSync(out.join('\n') + '\n'));
      const reader = readRecording(path);
      const counts = { snapshot: 0, diff: 0, trade: 0, missing: 0, status: 0 };
      let previousFinal = -1;
      let contiguous = true;
      for await (const event of reader) {
        counts[event.type] += 1;
        if (event.type === 'diff') {
          if (previousFinal !== -1 && event.firstUpdateId !== previousFinal + 1) contiguous = false;
          previousFinal = event.finalUpdateId;
        }
        if (event.type === 'snapshot') expect(event.bids).toHaveLength(1000);
      }
      // PROVENANCE.md: 41249 lines = 1 snapshot + 3451 depth@100ms + 9757 trade + 28040 bookTicker.
      expect(counts).toEqual({ snapshot: 1, diff: 3451, trade: 9757, missing: 0, status: 0 });
      expect(reader.stats).toMatchObject({
        malformed: 0,
        skippedKnown: 28040,
        skippedUnknown: 0,
        lines: 41250,
      });
      expect(contiguous).toBe(true);
    });
  },
);
