/**
 * Fuzzing the readers of files obi did not necessarily write: recordings (readRecording), tardis.dev CSVs
 * (readTardisCsv), feature CSVs (readFeatureCsv), and the pieces under them (line splitting, CSV fields,
 * decimal strings). Whatever the bytes — garbage, valid lines mixed with broken ones, cut or corrupt gzip —
 * a read ends, and any error is an ObiError (ParseError or ConfigError) naming the file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isObiError } from '../../src/errors.js';
import { readRecording } from '../../src/io/replay.js';
import { readTardisCsv } from '../../src/io/tardis-csv.js';
import { readFeatureCsv } from '../../src/io/feature-csv.js';
import { readLines } from '../../src/io/line-reader.js';
import { formatCsvField, parseCsvLine } from '../../src/io/csv-line.js';
import { toDecimalString } from '../../src/io/decimal-string.js';

const dir = mkdtempSync(join(tmpdir(), 'obi-fuzz-files-'));
let n = 0;
const RUNS = 80;

/** How a file's text is stored: as is, gzip, gzip cut short, or gzip with a flipped byte. */
const packing = fc.constantFrom('plain', 'gzip', 'gzip-cut', 'gzip-corrupt');
function pack(text: string, how: string, at: number): Uint8Array {
  if (how === 'plain') return Buffer.from(text);
  const z = gzipSync(text);
  if (how === 'gzip-cut') return z.subarray(0, Math.max(2, Math.floor(at * z.length)));
  const copy = Buffer.from(z);
  const i = Math.min(copy.length - 1, 10 + Math.floor(at * (copy.length - 10)));
  copy[i] = (copy[i] as number) ^ 0x5a;
  return copy;
}

function file(bytes: Uint8Array): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, bytes);
  return path;
}

/** Reads everything; returns the count, or rethrows anything that is not an ObiError. */
async function drain(source: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  try {
    for await (const _ of source) count++;
  } catch (error) {
    if (!isObiError(error)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
  }
  return count;
}

const GOOD_RECORDING_LINES = [
  '{"obi_recording":1,"created_ms":1,"exchange":"binance","market":"spot"}',
  '{"t":1,"k":"rest_depth","s":"BTCUSDT","lim":5,"ts":0,"d":{"lastUpdateId":10,"bids":[["1.0","2"]],"asks":[["1.1","3"]]}}',
  '{"t":2,"k":"ws","d":{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":2,"s":"BTCUSDT","U":11,"u":12,"b":[],"a":[["1.1","0"]]}}}',
  '{"t":3,"k":"trade","s":"BTCUSDT","d":{"e":"aggTrade","E":3,"s":"BTCUSDT","a":1,"p":"1.0","q":"1","T":3,"m":false}}',
  '{"t":4,"k":"rest_missing","s":"BTCUSDT","r":"timeout","ts":3}',
  '{"obi_recording":99,"created_ms":1,"exchange":"binance","market":"spot"}',
  '{"t":5,"k":"ws","d":{"__proto__":{"polluted":true},"e":"depthUpdate"}}',
];

const GOOD_TARDIS_LINES = [
  'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
  'binance,BTCUSDT,1000,1001,true,bid,100.5,1',
  'binance,BTCUSDT,1000,1001,true,ask,100.6,1e-7',
  'binance,BTCUSDT,2000,2001,false,bid,100.5,0',
  'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount',
  'binance,BTCUSDT,3000,3001,100.6,1,100.5,2',
];

const GOOD_FEATURE_LINES = [
  'timestamp,lastUpdateId,best_bid,best_ask,mid,bid_vol_L,ask_vol_L,obi,obi_pw,obi_ema,obi_pw_ema,mid_ret,mid_ret_fwd,obi_z,obi_extreme_flag,symbol,status,reason,time_ms',
  '2024-08-08T23:54:15.021156Z,5,1,2,1.5,3,4,0.1,0.1,,,,,,0,BTCUSDT,ok,,1000',
  '2024-08-08T23:54:16.021156Z,,,,,,,,,,,,,,0,BTCUSDT,missing,"timeout, 2 s",2000',
];

/** Text made of known-good lines, mutated lines and noise, in any order. */
function linesText(good: readonly string[]): fc.Arbitrary<string> {
  const line = fc.oneof(
    fc.constantFrom(...good),
    fc
      .tuple(fc.constantFrom(...good), fc.nat(), fc.string({ maxLength: 5 }))
      .map(([l, at, s]) => l.slice(0, at % (l.length + 1)) + s + l.slice(at % (l.length + 1))),
    fc.string({ maxLength: 60 }),
    fc.json(),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  return fc
    .tuple(fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
    .map(([ls, nl, endNl]) => ls.join(nl) + (endNl ? nl : ''));
}

describe('file readers under fuzzing', () => {
  it('readRecording ends on any bytes, with a ParseError or ConfigError at worst', async () => {
    await fc.assert(
      fc.asyncProperty(
        linesText(GOOD_RECORDING_LINES),
        packing,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (text, how, at) => {
          const path = file(pack(text, how, at));
          const reader = readRecording(path);
          await drain(reader);
          expect(reader.stats.malformed).toBeLessThanOrEqual(reader.stats.lines);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('readTardisCsv ends on any bytes, with a ParseError or ConfigError at worst', async () => {
    await fc.assert(
      fc.asyncProperty(
        linesText(GOOD_TARDIS_LINES),
        packing,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (text, how, at) => {
          await drain(readTardisCsv(file(pack(text, how, at))));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('readFeatureCsv ends on any bytes, with a ParseError or ConfigError at worst', async () => {
    await fc.assert(
      fc.asyncProperty(
        linesText(GOOD_FEATURE_LINES),
        packing,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (text, how, at) => {
          const path = file(pack(text, how, at));
          let csv;
          try {
            csv = await readFeatureCsv(path);
          } catch (error) {
            if (!isObiError(error)) throw error;
            return;
          }
          await drain(csv.rows);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random binary files and directories are refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const path = file(bytes);
        await drain(readRecording(path));
        await drain(readTardisCsv(path));
        try {
          await drain((await readFeatureCsv(path)).rows);
        } catch (error) {
          if (!isObiError(error)) throw error;
        }
      }),
      { numRuns: 40 },
    );
    await drain(readRecording(dir + '/no-such-file'));
    await drain(readRecording(mkdtempSync(join(tmpdir(), 'obi-empty-dir-'))));
  });

  it('lines are the same however the bytes are chunked (UTF-8 split anywhere)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => l.replace(/[\r\n]/g, '') + '\n').join(''));
          const chunks: Uint8Array[] = [];
          for (let i = 0, c = 0; i < bytes.length; c++) {
            const size = cuts[c % cuts.length] as number;
            chunks.push(bytes.subarray(i, i + size));
            i += size;
          }
          const got: (string | null)[] = [];
          for await (const l of readLines(
            (async function* () {
              yield* chunks;
            })(),
          ))
            got.push(l);
          expect(got).toEqual(lines.map((l) => l.replace(/[\r\n]/g, '')));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('CSV fields round-trip through formatCsvField and parseCsvLine; broken quoting is null', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !/[\r\n]/.test(s)),
          { minLength: 1, maxLength: 8 },
        ),
        (fields) => {
          expect(parseCsvLine(fields.map(formatCsvField).join(','))).toEqual(fields);
        },
      ),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string(), (line) => {
        const fields = parseCsvLine(line);
        if (fields !== null) expect(fields.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('decimal strings: null, or a plain decimal of the same value', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.double({ min: 0, noNaN: true }).map(String),
          fc.stringMatching(/^\d{0,4}\.?\d{0,4}(e[+-]?\d{1,3})?$/),
        ),
        (text) => {
          const d = toDecimalString(text);
          if (d === null) return;
          expect(d).toMatch(/^\d+(\.\d+)?$/);
          expect(Number(d)).toBe(Number(text));
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });
});
