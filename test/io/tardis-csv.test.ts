import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookDiff, BookSnapshot } from '../../src/events.js';
import { ParseError } from '../../src/errors.js';
import { toDecimalString } from '../../src/io/decimal-string.js';
import { readTardisCsv, tardisVenue } from '../../src/io/tardis-csv.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TARDIS = resolve(HERE, '../../../shared/data/nautilus-fixtures/tardis');
const OWN = resolve(HERE, '../fixtures/tardis/incremental-with-diffs.csv');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-tardis-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe.skipIf(!existsSync(TARDIS))('tardis book_snapshot_N (real binance-futures samples)', () => {
  it('book_snapshot_5: one snapshot per row with the exact price strings of the CSV', async () => {
    const path = join(TARDIS, 'binance-futures_book_snapshot_5_BTCUSDT.csv');
    const reader = readTardisCsv(path);
    const events = await collect(reader);
    expect(events).toHaveLength(10);
    expect(reader.stats).toMatchObject({
      kind: 'book_snapshot',
      levels: 5,
      malformed: 0,
      events: 10,
      lines: 11,
    });
    // Row 1: binance-futures,BTCUSDT,1598918403696000,1598918403810979,11657.08,1.714,11657.07,10.896,…
    expect(events[0]).toEqual<BookSnapshot>({
      type: 'snapshot',
      exchange: 'binance',
      market: 'futures',
      symbol: 'BTCUSDT',
      lastUpdateId: null,
      bids: [
        ['11657.07', '10.896'],
        ['11656.97', '0.2'],
        ['11655.78', '0.2'],
        ['11655.77', '0.98'],
        ['11655.68', '0.111'],
      ],
      asks: [
        ['11657.08', '1.714'],
        ['11657.54', '5.4'],
        ['11657.56', '0.238'],
        ['11657.61', '0.077'],
        ['11657.92', '0.918'],
      ],
      depthLimit: 5,
      exchangeTimeMs: 1598918403696,
      localTimeMs: 1598918403810.979,
    });
    // Every price string is a cell of its row, verbatim.
    const rows = (await readFile(path, 'utf8')).trim().split('\n').slice(1);
    for (const [i, event] of events.entries()) {
      const cells = new Set((rows[i] as string).split(','));
      for (const [price, qty] of [...event.bids, ...event.asks]) {
        expect(cells.has(price) && cells.has(qty)).toBe(true);
      }
    }
  });

  it('book_snapshot_25: 25 levels a side, best first', async () => {
    const events = await collect(readTardisCsv(join(TARDIS, 'binance-futures_book_snapshot_25_BTCUSDT.csv')));
    expect(events).toHaveLength(10);
    for (const event of events) {
      expect(event.type).toBe('snapshot');
      expect(event.bids).toHaveLength(25);
      expect(event.asks).toHaveLength(25);
      const bids = event.bids.map(([p]) => Number(p));
      const asks = event.asks.map(([p]) => Number(p));
      expect(bids).toEqual([...bids].sort((a, b) => b - a));
      expect(asks).toEqual([...asks].sort((a, b) => a - b));
      expect(bids[0]).toBeLessThan(asks[0] as number);
    }
    expect(events[1]?.localTimeMs).toBe(1598918403819.763);
  });

  it('deribit incremental_book_L2: the 15 snapshot rows become one snapshot of asks, ascending', async () => {
    const reader = readTardisCsv(join(TARDIS, 'deribit_incremental_book_L2_BTC-PERPETUAL.csv'));
    const events = await collect(reader);
    expect(reader.stats.kind).toBe('incremental_book_L2');
    expect(events).toHaveLength(1);
    const snapshot = events[0] as BookSnapshot;
    expect(snapshot).toMatchObject({
      type: 'snapshot',
      exchange: 'deribit',
      market: 'futures',
      symbol: 'BTC-PERPETUAL',
      lastUpdateId: 1,
      depthLimit: null,
      bids: [],
      exchangeTimeMs: 1585699200245,
      localTimeMs: 1585699200355.684,
    });
    expect(snapshot.asks).toHaveLength(15);
    expect(snapshot.asks[0]).toEqual(['6421.5', '18640']);
    expect(snapshot.asks[14]).toEqual(['6428.5', '39950']);
  });
});

describe('tardis incremental_book_L2 (hand-written fixture with diffs)', () => {
  it('groups rows into snapshots and diffs with synthetic update ids that chain', async () => {
    const reader = readTardisCsv(OWN);
    const events = await collect(reader);
    const venue = { exchange: 'binance', market: 'spot' } as const;
    expect(events).toEqual<(BookSnapshot | BookDiff)[]>([
      {
        type: 'snapshot',
        ...venue,
        symbol: 'BTCUSDT',
        lastUpdateId: 1,
        bids: [
          ['6420.5', '0.0000001'],
          ['6420', '2'],
        ],
        asks: [
          ['6421.5', '1.5'],
          ['6422', '0.25'],
        ],
        depthLimit: null,
        exchangeTimeMs: 1585699200245,
        localTimeMs: 1585699200355.684,
      },
      {
        type: 'diff',
        ...venue,
        symbol: 'BTCUSDT',
        firstUpdateId: 1,
        finalUpdateId: 2,
        prevFinalUpdateId: null,
        bids: [['6421', '3']],
        asks: [['6421.5', '0']],
        exchangeTimeMs: 1585699200300,
        localTimeMs: 1585699200400.001,
      },
      {
        type: 'diff',
        ...venue,
        symbol: 'BTCUSDT',
        firstUpdateId: 3,
        finalUpdateId: 3,
        prevFinalUpdateId: null,
        bids: [['6420', '0']],
        asks: [],
        exchangeTimeMs: 1585699200350,
        localTimeMs: 1585699200450.002,
      },
      {
        type: 'snapshot',
        ...venue,
        symbol: 'BTCUSDT',
        lastUpdateId: 4,
        bids: [['6419', '4']],
        asks: [['6423', '5']],
        depthLimit: null,
        exchangeTimeMs: 1585699200400,
        localTimeMs: 1585699200500.003,
      },
      {
        type: 'diff',
        ...venue,
        symbol: 'BTCUSDT',
        firstUpdateId: 4,
        finalUpdateId: 5,
        prevFinalUpdateId: null,
        bids: [],
        asks: [['6423', '6']],
        exchangeTimeMs: 1585699200450,
        localTimeMs: 1585699200550.004,
      },
    ]);
    expect(reader.stats).toMatchObject({ lines: 12, malformed: 1, events: 5 });
    expect(reader.stats.malformedExamples).toEqual([
      { source: OWN, line: 9, reason: 'is_snapshot is not true or false' },
    ]);
  });

  it('futures venues chain pu = previous u; gzip input is detected by magic bytes', async () => {
    const text = (await readFile(OWN, 'utf8')).replaceAll('binance,', 'binance-futures,');
    const path = join(dir, 'futures.csv');
    await writeFile(path, gzipSync(text));
    const diffs = (await collect(readTardisCsv(path))).filter((e): e is BookDiff => e.type === 'diff');
    expect(diffs.map((d) => [d.prevFinalUpdateId, d.firstUpdateId, d.finalUpdateId])).toEqual([
      [0, 1, 2],
      [2, 3, 3],
      [3, 4, 5],
    ]);
    expect(diffs[0]?.market).toBe('futures');
  });
});

describe('tardis CSV: bad input', () => {
  it('an unknown header is a ParseError naming the file', async () => {
    const path = join(dir, 'other.csv');
    await writeFile(path, 'a,b,c\n1,2,3\n');
    await expect(collect(readTardisCsv(path))).rejects.toThrow(`${path}: not a tardis.dev book_snapshot_N`);
  });

  it('rows with the wrong field count or bad numbers are counted; a mostly bad file fails', async () => {
    const header =
      'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount';
    const good = 'binance,BTCUSDT,1000,2000,10.5,1,10,2';
    const okPath = join(dir, 'some-bad.csv');
    await writeFile(
      okPath,
      [header, good, 'binance,BTCUSDT,1000,2000,10.5,1', good, 'binance,BTCUSDT,x,2000,1,1,1,1', good].join(
        '\n',
      ),
    );
    const reader = readTardisCsv(okPath);
    const events = await collect(reader);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      exchangeTimeMs: 1,
      localTimeMs: 2,
      bids: [['10', '2']],
      asks: [['10.5', '1']],
    });
    expect(reader.stats.malformedExamples.map((m) => [m.line, m.reason])).toEqual([
      [3, 'expected 8 fields, got 6'],
      [5, 'timestamp is not an integer of microseconds'],
    ]);
    const badPath = join(dir, 'mostly-bad.csv');
    await writeFile(badPath, [header, good, 'x', 'y', 'z'].join('\n'));
    await expect(collect(readTardisCsv(badPath))).rejects.toThrow(ParseError);
  });

  it('an empty level (both cells empty) is absent; a half-empty one is malformed', async () => {
    const header =
      'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,bids[1].amount';
    const path = join(dir, 'sparse.csv');
    await writeFile(
      path,
      [header, 'binance,X,1,1,2,1,1,1,,,,', 'binance,X,1,1,2,1,1,1,3,,,', 'binance,X,1,1,2,1,1,1,3,1,,'].join(
        '\n',
      ),
    );
    const reader = readTardisCsv(path);
    const events = await collect(reader);
    expect(events.map((e) => [e.asks.length, e.bids.length])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(reader.stats.malformedExamples[0]).toMatchObject({
      line: 3,
      reason: 'asks[1] is not a price and amount',
    });
  });
});

describe('venues and decimals', () => {
  it('maps tardis exchange ids to obi venues', () => {
    expect(tardisVenue('binance')).toEqual({ exchange: 'binance', market: 'spot' });
    expect(tardisVenue('binance-futures')).toEqual({ exchange: 'binance', market: 'futures' });
    expect(tardisVenue('binance-delivery')).toEqual({ exchange: 'binance-delivery', market: 'futures' });
    expect(tardisVenue('binance-us')).toEqual({ exchange: 'binance-us', market: 'spot' });
    expect(tardisVenue('deribit')).toEqual({ exchange: 'deribit', market: 'futures' });
  });

  it('expands any JavaScript number string to a plain decimal of the same value (property)', () => {
    expect(toDecimalString('61837.63000000')).toBe('61837.63000000');
    expect(toDecimalString('1e-7')).toBe('0.0000001');
    expect(toDecimalString('1.5e-7')).toBe('0.00000015');
    expect(toDecimalString('2.5e+21')).toBe('2500000000000000000000');
    expect(toDecimalString('.5')).toBe('0.5');
    for (const bad of ['', '-1', 'NaN', 'Infinity', '1e', 'e5', '1,5', '0x10', ' 1'])
      expect(toDecimalString(bad)).toBeNull();
    fc.assert(
      // Prices and quantities: 0, or 1e-30 up to 1e30 (exponents beyond ±40 are refused on purpose).
      fc.property(
        fc.double({ min: 0, max: 1e30, noNaN: true }).filter((x) => x === 0 || x >= 1e-30),
        (x) => {
          const plain = toDecimalString(String(x));
          expect(plain).toMatch(/^\d+(\.\d+)?$/);
          expect(Number(plain)).toBe(x);
        },
      ),
    );
  });
});
