import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceLevel } from '../../../src/events.js';
import { createDepthView } from '../../../src/core/book/depth-view.js';
import { OrderBook } from '../../../src/core/book/order-book.js';
import type { BookSide } from '../../../src/core/book/order-book.js';
import { packPlaces } from '../../../src/core/book/parsed-levels.js';
import { fixedPlaces } from '../../../src/core/book/price-parse.js';

function top(book: OrderBook, levels: number) {
  const view = createDepthView(levels);
  book.readTop(levels, view);
  return {
    bids: Array.from(view.bidPrices.subarray(0, view.bidCount), (p, i) => [p, view.bidQtys[i]]),
    asks: Array.from(view.askPrices.subarray(0, view.askCount), (p, i) => [p, view.askQtys[i]]),
  };
}

function snapshotBook(): OrderBook {
  const book = new OrderBook();
  book.applySnapshot(
    [
      ['100.00', '1.0'],
      ['99.50', '2.0'],
      ['99.00', '3.0'],
    ],
    [
      ['100.50', '4.0'],
      ['101.00', '5.0'],
    ],
    null,
  );
  return book;
}

describe('OrderBook by hand', () => {
  it('applies a diff event from its numbers when it has them, never writing its strings', () => {
    const fromNumbers = new OrderBook();
    const fromStrings = new OrderBook();
    const bids: PriceLevel[] = [['100.25', '1.500']];
    const asks: PriceLevel[] = [['100.50', '2.000']];
    let stringsRead = 0;
    fromNumbers.applyBookDiff({
      get bids() {
        stringsRead++;
        return bids;
      },
      get asks() {
        stringsRead++;
        return asks;
      },
      bidValues: [100.25, 1.5, packPlaces(2, 3)],
      askValues: [100.5, 2, packPlaces(2, 3)],
    });
    fromStrings.applyBookDiff({ bids, asks });
    expect(stringsRead).toBe(0);
    for (const side of ['bids', 'asks'] as const) {
      expect(fromNumbers.levels(side)).toEqual(fromStrings.levels(side));
    }
    expect(fromStrings.levels('bids')).toEqual([['100.25', '1.500']]);
  });

  it('loads a snapshot best first', () => {
    const book = snapshotBook();
    expect(book.levels('bids')).toEqual([
      ['100.00', '1.0'],
      ['99.50', '2.0'],
      ['99.00', '3.0'],
    ]);
    expect(book.levels('asks')).toEqual([
      ['100.50', '4.0'],
      ['101.00', '5.0'],
    ]);
    expect(book.bestBid()).toBe(100);
    expect(book.bestAsk()).toBe(100.5);
    expect(book.bidCount).toBe(3);
    expect(book.askCount).toBe(2);
    expect(top(book, 2)).toEqual({
      bids: [
        [100, 1],
        [99.5, 2],
      ],
      asks: [
        [100.5, 4],
        [101, 5],
      ],
    });
  });

  it('inserts, overwrites and deletes', () => {
    const book = snapshotBook();
    book.applyDiff(
      [
        ['99.75', '0.5'], // insert inside
        ['100.00', '1.5'], // overwrite the best
        ['99.00', '0.00000000'], // delete
      ],
      [['100.25', '0.1']], // new best ask
    );
    expect(book.levels('bids')).toEqual([
      ['100.00', '1.5'],
      ['99.75', '0.5'],
      ['99.50', '2.0'],
    ]);
    expect(book.levels('asks')[0]).toEqual(['100.25', '0.1']);
    expect(book.bestAsk()).toBe(100.25);
  });

  it('ignores the deletion of a level it does not have', () => {
    const book = snapshotBook();
    book.applyDiff([['98.00', '0']], [['105.00', '0.000']]);
    expect(book.bidCount).toBe(3);
    expect(book.askCount).toBe(2);
  });

  it('identifies a level by its decimal value, not its spelling', () => {
    const book = new OrderBook();
    book.applyDiff([['1.10', '2']], []);
    book.applyDiff([['1.1', '3']], []);
    expect(book.levels('bids')).toEqual([['1.1', '3']]);
    book.applyDiff([['1.100000', '0']], []);
    expect(book.bidCount).toBe(0);
  });

  it('keeps prices apart that only differ past the 15th digit', () => {
    const book = new OrderBook();
    book.applyDiff(
      [
        ['5.00000000000000001', '1'],
        ['5', '2'],
        ['5.00000000000000002', '3'],
      ],
      [],
    );
    expect(book.levels('bids')).toEqual([
      ['5.00000000000000002', '3'],
      ['5.00000000000000001', '1'],
      ['5', '2'],
    ]);
    book.applyDiff([['5.000000000000000010', '0']], []);
    expect(book.levels('bids').map((l) => l[0])).toEqual(['5.00000000000000002', '5']);
  });

  it('reports crossed and locked books without fixing them', () => {
    const book = snapshotBook();
    expect(book.isCrossed()).toBe(false);
    expect(book.isLocked()).toBe(false);
    book.applyDiff([['100.5', '1']], []);
    expect(book.isLocked()).toBe(true);
    expect(book.isCrossed()).toBe(false);
    book.applyDiff([['100.75', '1']], []);
    expect(book.isCrossed()).toBe(true);
    expect(book.bestBid()).toBe(100.75);
    expect(book.bestAsk()).toBe(100.5);
  });

  it('is neither crossed nor locked with an empty side', () => {
    const book = new OrderBook();
    book.applyDiff([['1', '1']], []);
    expect(book.bestAsk()).toBeNaN();
    expect(book.isCrossed()).toBe(false);
    expect(book.isLocked()).toBe(false);
  });

  it('fills fewer levels than asked when the book is shallow', () => {
    const book = snapshotBook();
    const view = createDepthView(5);
    view.bidCount = 99;
    book.readTop(5, view);
    expect(view.bidCount).toBe(3);
    expect(view.askCount).toBe(2);
    expect(Array.from(view.bidPrices.subarray(0, 3))).toEqual([100, 99.5, 99]);
    // The view's capacity caps the read too.
    const small = createDepthView(1);
    book.readTop(10, small);
    expect(small.bidCount).toBe(1);
    expect(small.askCount).toBe(1);
  });

  it('exposes only the snapshot window when a side was truncated', () => {
    const book = new OrderBook();
    // depthLimit 2: bids came back with 2 levels (truncated at 99), asks with 1 (the whole side).
    book.applySnapshot(
      [
        ['100', '1'],
        ['99', '1'],
      ],
      [['101', '1']],
      2,
    );
    expect(book.windowEdge('bids')).toBe('99');
    expect(book.windowEdge('asks')).toBeNull();
    book.applyDiff(
      [
        ['98', '5'], // beyond the window: stored, not exposed
        ['99.5', '2'], // inside
      ],
      [['150', '1']], // the ask side is whole: known
    );
    expect(book.bidCount).toBe(4);
    expect(book.knownBidDepth).toBe(3);
    expect(book.knownAskDepth).toBe(2);
    expect(top(book, 10).bids).toEqual([
      [100, 1],
      [99.5, 2],
      [99, 1],
    ]);
    expect(book.levels('bids', 'known').map((l) => l[0])).toEqual(['100', '99.5', '99']);
    expect(book.levels('bids').map((l) => l[0])).toEqual(['100', '99.5', '99', '98']);
    // Deleting the edge level keeps the edge: 98 stays unknown territory.
    book.applyDiff([['99', '0']], []);
    expect(book.knownBidDepth).toBe(2);
    expect(top(book, 10).bids).toEqual([
      [100, 1],
      [99.5, 2],
    ]);
    // The edge price itself is inside the window, whatever its spelling.
    book.applyDiff([['99.000', '7']], []);
    expect(book.knownBidDepth).toBe(3);
    // With every known level gone, the best bid is unknown even though 98 is stored.
    book.applyDiff(
      [
        ['100', '0'],
        ['99.5', '0'],
        ['99', '0'],
      ],
      [],
    );
    expect(book.bidCount).toBe(1);
    expect(book.knownBidDepth).toBe(0);
    expect(book.bestBid()).toBeNaN();
  });

  it('keeps a level that shares the edge’s double but lies beyond it out of the window, gap or not', () => {
    // 100 bids from 100.00 down to 99.01, truncated: the edge 99.01 is deep enough that removing it
    // leaves a gap. 99.00999999999999999999 has the edge's double but is a lower price: beyond the window.
    const book = new OrderBook();
    const bids: PriceLevel[] = [];
    for (let t = 0; t < 100; t++) bids.push([((10000 - t) / 100).toFixed(2), '1']);
    book.applySnapshot(bids, [], 100);
    expect(book.windowEdge('bids')).toBe('99.01');
    book.applyDiff([['99.01', '0']], []);
    expect(book.knownBidDepth).toBe(99);
    book.applyDiff([['99.00999999999999999999', '3']], []);
    expect(book.bidCount).toBe(100);
    expect(book.knownBidDepth).toBe(99);
    expect(book.levels('bids', 'known')).toHaveLength(99);
    expect(book.levels('bids').at(-1)).toEqual(['99.00999999999999999999', '3']);
    expect(top(book, 100).bids).toHaveLength(99);
    expect(top(book, 100).bids.at(-1)).toEqual([99.02, 1]);
  });

  it('loads an unsorted snapshot correctly, dropping zero quantities', () => {
    const book = new OrderBook();
    book.applySnapshot(
      [
        ['99', '1'],
        ['100', '2'],
        ['98', '0'],
        ['100.0', '3'],
      ],
      [],
      null,
    );
    expect(book.levels('bids')).toEqual([
      ['100.0', '3'],
      ['99', '1'],
    ]);
  });

  it('clear empties both sides and the window', () => {
    const book = new OrderBook();
    book.applySnapshot([['1', '1']], [['2', '1']], 1);
    book.clear();
    expect(book.bidCount + book.askCount).toBe(0);
    expect(book.windowEdge('bids')).toBeNull();
    book.applyDiff([['0.5', '1']], []);
    expect(book.knownBidDepth).toBe(1);
  });
});

// ---- differential test against a naive sorted-Map model ----

/** Exact value of a decimal string as a BigInt scaled by 10^20 (prices below have at most 20 decimals). */
function scaled(s: string): bigint {
  const [i = '', f = ''] = s.split('.');
  return BigInt(i + f.padEnd(20, '0'));
}

class ModelSide {
  readonly levels = new Map<bigint, [string, string]>();
  edge: bigint | null = null;
  constructor(readonly side: BookSide) {}
  better(a: bigint, b: bigint): boolean {
    return this.side === 'bids' ? a > b : a < b;
  }
  set(price: string, qty: string): void {
    const k = scaled(price);
    if (scaled(qty) === 0n) this.levels.delete(k);
    else this.levels.set(k, [price, qty]);
  }
  sorted(knownOnly: boolean): Array<[string, string]> {
    const keys = [...this.levels.keys()]
      .filter((k) => !knownOnly || this.edge === null || k === this.edge || this.better(k, this.edge))
      .sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
    return keys.map((k) => this.levels.get(k) as [string, string]);
  }
}

const priceArb = fc.oneof(
  // A small grid spelled with varying trailing and leading zeros: many collisions by value.
  fc
    .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 3 }), fc.boolean())
    .map(([m, zeros, lead]) => {
      const base = `${Math.floor(m / 10)}.${m % 10}`;
      return (lead ? '0' : '') + base + '0'.repeat(zeros);
    }),
  // Prices that share the double 2 but are distinct decimals.
  fc.constantFrom('2', '2.0', '2.00000000000000001', '2.00000000000000002', '2.000000000000000010'),
);
const qtyArb = fc.oneof(
  fc.constantFrom('0', '0.00000000'),
  fc.integer({ min: 1, max: 10_000 }).map((q) => (q / 1000).toFixed(3)),
);
const levelsArb = fc.array(fc.tuple(priceArb, qtyArb), { maxLength: 8 });
const diffArb = fc.record({ bids: levelsArb, asks: levelsArb, parsed: fc.boolean() });

/** The levels as the diff-depth scanner reads them (ParsedLevels), or null when one cannot be. */
function parsedOf(levels: ReadonlyArray<readonly [string, string]>): number[] | null {
  const out: number[] = [];
  for (const [p, q] of levels) {
    const pp = fixedPlaces(p);
    const qp = fixedPlaces(q);
    if (pp < 0 || qp < 0) return null;
    out.push(Number(p), Number(q), packPlaces(pp, qp));
  }
  return out;
}

function toSnapshotSide(model: ModelSide, pairs: Array<[string, string]>): PriceLevel[] {
  for (const [p, q] of pairs) model.set(p, q);
  return model.sorted(false);
}

describe('OrderBook against a sorted-Map model', () => {
  it('matches after every diff (levels, known window, top-N, touch)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(priceArb, qtyArb), { maxLength: 12 }),
        fc.array(fc.tuple(priceArb, qtyArb), { maxLength: 12 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
        fc.array(diffArb, { maxLength: 40 }),
        (snapBids, snapAsks, depthLimit, diffs) => {
          const book = new OrderBook();
          const mb = new ModelSide('bids');
          const ma = new ModelSide('asks');
          const bids = toSnapshotSide(mb, snapBids);
          const asks = toSnapshotSide(ma, snapAsks);
          book.applySnapshot(bids, asks, depthLimit);
          for (const [m, side] of [
            [mb, bids],
            [ma, asks],
          ] as const) {
            const last = side[side.length - 1];
            if (depthLimit !== null && side.length >= depthLimit && last !== undefined)
              m.edge = scaled(last[0]);
          }
          const view = createDepthView(4);
          // One snapshot of everything observable, compared in one go (an expect() per field and level
          // would dominate the run time).
          const check = (): void => {
            const kb = mb.sorted(true);
            const ka = ma.sorted(true);
            book.readTop(4, view);
            const bb = kb[0];
            const ba = ka[0];
            const touch = bb === undefined || ba === undefined ? null : scaled(bb[0]) - scaled(ba[0]);
            const observed = {
              bids: book.levels('bids'),
              asks: book.levels('asks'),
              knownBids: book.levels('bids', 'known'),
              knownAsks: book.levels('asks', 'known'),
              depth: [book.knownBidDepth, book.knownAskDepth],
              topBids: Array.from(view.bidPrices.subarray(0, view.bidCount), (p, i) => [p, view.bidQtys[i]]),
              topAsks: Array.from(view.askPrices.subarray(0, view.askCount), (p, i) => [p, view.askQtys[i]]),
              best: [book.bestBid(), book.bestAsk()],
              crossedLocked: [book.isCrossed(), book.isLocked()],
            };
            const expected = {
              bids: mb.sorted(false),
              asks: ma.sorted(false),
              knownBids: kb,
              knownAsks: ka,
              depth: [kb.length, ka.length],
              topBids: kb.slice(0, 4).map(([p, q]) => [Number(p), Number(q)]),
              topAsks: ka.slice(0, 4).map(([p, q]) => [Number(p), Number(q)]),
              best: [bb === undefined ? NaN : Number(bb[0]), ba === undefined ? NaN : Number(ba[0])],
              crossedLocked: [touch !== null && touch > 0n, touch === 0n],
            };
            if (JSON.stringify(observed) !== JSON.stringify(expected)) expect(observed).toEqual(expected);
          };
          check();
          for (const d of diffs) {
            // Diffs the scanner could read go in as numbers half the time: one book, both paths.
            const bidValues = parsedOf(d.bids);
            const askValues = parsedOf(d.asks);
            if (d.parsed && bidValues !== null && askValues !== null)
              book.applyParsedDiff(bidValues, askValues);
            else book.applyDiff(d.bids, d.asks);
            for (const [p, q] of d.bids) mb.set(p, q);
            for (const [p, q] of d.asks) ma.set(p, q);
            check();
          }
        },
      ),
      { seed: 424242, numRuns: 400 },
    );
  });

  it('matches on a deep book with updates spread across it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.integer({ min: 0, max: 3000 }),
            fc.integer({ min: 0, max: 5 }).map((q) => `${q}.000`),
          ),
          // fast-check keeps arrays short unless told: a deep book needs thousands of updates.
          { minLength: 500, maxLength: 3000, size: 'max' },
        ),
        (updates) => {
          const book = new OrderBook();
          const mb = new ModelSide('bids');
          const ma = new ModelSide('asks');
          for (const [isBid, tick, qty] of updates) {
            const price = (tick / 100).toFixed(2);
            if (isBid) {
              book.applyDiff([[price, qty]], []);
              mb.set(price, qty);
            } else {
              book.applyDiff([], [[price, qty]]);
              ma.set(price, qty);
            }
          }
          expect(book.levels('bids')).toEqual(mb.sorted(false));
          expect(book.levels('asks')).toEqual(ma.sorted(false));
        },
      ),
      { seed: 99, numRuns: 30 },
    );
  });

  it('matches on a deep book whose touch is swept away down to the gaps left deep in it', () => {
    // A level removed far from the touch leaves a gap in the ladder; sweeping the best levels brings the
    // gaps to the touch, where reads must skip them and the best price must never be one. Some prices
    // are spelled with more digits than a double holds: distinct decimals that share a key with a gap.
    const op = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          tick: fc.integer({ min: 0, max: 400 }),
          qty: fc.oneof(
            fc.constant('0'),
            fc.integer({ min: 1, max: 5 }).map((q) => `${q}.000`),
          ),
          long: fc.integer({ min: 0, max: 9 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ sweep: fc.integer({ min: 1, max: 120 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 1500, size: 'max' }), (ops) => {
        const book = new OrderBook();
        const model = new ModelSide('bids');
        const levels: Array<[string, string]> = [];
        for (let t = 0; t < 300; t++) levels.push([((1000 - t) / 100).toFixed(2), '1.000']);
        book.applySnapshot(toSnapshotSide(model, levels), [], null);
        const view = createDepthView(20);
        for (const o of ops) {
          if ('sweep' in o) {
            for (const [price] of model.sorted(false).slice(0, o.sweep)) {
              book.applyDiff([[price, '0']], []);
              model.set(price, '0');
            }
          } else {
            const base = ((1000 - o.tick) / 100).toFixed(2);
            const price = o.long === 0 ? `${base}000000000000000001` : base;
            book.applyDiff([[price, o.qty]], []);
            model.set(price, o.qty);
          }
          const want = model.sorted(false);
          book.readTop(20, view);
          const got = Array.from(view.bidPrices.subarray(0, view.bidCount));
          const top = want.slice(0, 20).map(([p]) => Number(p));
          // Compared as strings: a failure prints one line, not a diff of two thousand-entry arrays.
          expect(`${book.bidCount} ${book.bestBid()} ${got.join(',')}`).toBe(
            `${want.length} ${want.length > 0 ? Number(want[0]?.[0]) : NaN} ${top.join(',')}`,
          );
        }
        expect(book.levels('bids')).toEqual(model.sorted(false));
      }),
      { seed: 5, numRuns: 40 },
    );
  });

  it('matches on a deep truncated book with updates on both sides of its window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 600 }),
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.integer({ min: 0, max: 1500 }),
            fc.oneof(
              fc.constant('0.000'),
              fc.integer({ min: 1, max: 5 }).map((q) => `${q}.000`),
            ),
            fc.boolean(),
          ),
          { minLength: 500, maxLength: 2500, size: 'max' },
        ),
        (depth, updates) => {
          const book = new OrderBook();
          const mb = new ModelSide('bids');
          const ma = new ModelSide('asks');
          // Bids from 7.49 down, asks from 7.51 up, `depth` levels each: a truncated snapshot.
          const snapBids: Array<[string, string]> = [];
          const snapAsks: Array<[string, string]> = [];
          for (let i = 0; i < depth; i++) {
            snapBids.push([((749 - i) / 100).toFixed(2), '1.000']);
            snapAsks.push([((751 + i) / 100).toFixed(2), '2.000']);
          }
          book.applySnapshot(toSnapshotSide(mb, snapBids), toSnapshotSide(ma, snapAsks), depth);
          mb.edge = scaled((snapBids[depth - 1] as [string, string])[0]);
          ma.edge = scaled((snapAsks[depth - 1] as [string, string])[0]);
          const view = createDepthView(20);
          const observe = (): unknown => {
            book.readTop(20, view);
            return [
              book.levels('bids'),
              book.levels('asks'),
              book.levels('bids', 'known'),
              book.levels('asks', 'known'),
              book.knownBidDepth,
              book.knownAskDepth,
              Array.from(view.bidPrices.subarray(0, view.bidCount)),
              Array.from(view.askQtys.subarray(0, view.askCount)),
            ];
          };
          const expected = (): unknown => {
            const kb = mb.sorted(true);
            const ka = ma.sorted(true);
            return [
              mb.sorted(false),
              ma.sorted(false),
              kb,
              ka,
              kb.length,
              ka.length,
              kb.slice(0, 20).map(([p]) => Number(p)),
              ka.slice(0, 20).map(([, q]) => Number(q)),
            ];
          };
          updates.forEach(([isBid, tick, qty, parsed], n) => {
            // Bids below 7.50, asks above: the book never crosses, and levels land anywhere in it.
            const price = isBid
              ? ((750 - 1 - (tick % 750)) / 100).toFixed(2)
              : ((751 + tick) / 100).toFixed(2);
            const level: Array<[string, string]> = [[price, qty]];
            const values = parsedOf(level) as number[];
            if (isBid) {
              if (parsed) book.applyParsedDiff(values, []);
              else book.applyDiff(level, []);
              mb.set(price, qty);
            } else {
              if (parsed) book.applyParsedDiff([], values);
              else book.applyDiff([], level);
              ma.set(price, qty);
            }
            if (n % 100 === 0) expect(observe()).toEqual(expected());
          });
          expect(observe()).toEqual(expected());
        },
      ),
      { seed: 7, numRuns: 25 },
    );
  });
});
