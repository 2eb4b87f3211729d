import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ParsedDiff, plainDiff } from '../../../src/core/book/parsed-diff.js';
import { packPlaces } from '../../../src/core/book/parsed-levels.js';
import { RecentDiffs } from '../../../src/core/book/recent-diffs.js';
import type { BookDiff, Venue } from '../../../src/events.js';

const SPOT: Venue = { exchange: 'binance', market: 'spot' };

/** A diff numbered `n`: scanned (ParsedDiff) with `levels` levels a side, or plain, or of another symbol. */
function diffOf(n: number, levels: number, kind: 'parsed' | 'plain' | 'other-symbol' | 'futures'): BookDiff {
  const bids: number[] = [];
  const asks: number[] = [];
  for (let i = 0; i < levels; i++) {
    bids.push(100 + n - i / 100, i === 0 ? 0 : n + i, packPlaces(2, 3));
    asks.push(101 + n + i / 100, n + i / 8, packPlaces(2, 3));
  }
  const header = {
    exchange: 'binance',
    market: kind === 'futures' ? ('futures' as const) : ('spot' as const),
    symbol: kind === 'other-symbol' ? 'ETHUSDT' : 'BTCUSDT',
    firstUpdateId: 10 * n + 1,
    finalUpdateId: 10 * n + 5,
    prevFinalUpdateId: n % 3 === 0 ? null : 10 * n,
    exchangeTimeMs: 1_700_000_000_000 + n,
    localTimeMs: 1_700_000_000_000.5 + n,
  };
  const parsed = new ParsedDiff(header, bids, asks);
  return kind === 'plain' ? plainDiff(parsed) : parsed;
}

describe('RecentDiffs', () => {
  it('gives back equal diffs, oldest first', () => {
    const q = new RecentDiffs(SPOT, 'BTCUSDT');
    expect(q.length).toBe(0);
    expect(q.at(0)).toBeUndefined();
    expect(q.oldestLocalTimeMs()).toBeNaN();
    const a = diffOf(1, 2, 'parsed');
    const b = diffOf(2, 0, 'plain');
    q.push(a);
    q.push(b);
    expect(q.length).toBe(2);
    // Held as numbers: another object, the same diff; a plain diff is kept as it is.
    expect(q.at(0)).not.toBe(a);
    expect(plainDiff(q.at(0) as BookDiff)).toEqual(plainDiff(a));
    expect(q.at(0)?.prevFinalUpdateId).toBe(10);
    expect(q.at(1)).toBe(b);
    expect(q.firstUpdateIdAt(1)).toBe(21);
    expect(q.oldestLocalTimeMs()).toBe(a.localTimeMs);
    q.shift();
    expect(q.length).toBe(1);
    expect(q.at(0)).toBe(b);
    q.clear();
    expect(q.length).toBe(0);
    q.shift();
    expect(q.length).toBe(0);
  });

  it('keeps every diff through a compaction that moves numbers and objects to the front', () => {
    const q = new RecentDiffs(SPOT, 'BTCUSDT');
    const model: BookDiff[] = [];
    const push = (n: number): void => {
      const d = diffOf(n, 1 + (n % 5), n % 7 === 0 ? 'plain' : 'parsed');
      q.push(d);
      model.push(d);
    };
    for (let n = 0; n < 400; n++) push(n);
    for (let n = 0; n < 300; n++) q.shift();
    model.splice(0, 300);
    // The header array (512 entries) fills with 300 of them consumed: compacted, not grown.
    for (let n = 400; n < 700; n++) push(n);
    expect(q.length).toBe(400);
    for (let i = 0; i < model.length; i++) {
      expect(plainDiff(q.at(i) as BookDiff)).toEqual(plainDiff(model[i] as BookDiff));
    }
  });

  it('behaves like a queue of the diffs themselves, across growth and compactions', () => {
    const kind = fc.constantFrom('parsed', 'parsed', 'parsed', 'plain', 'other-symbol', 'futures');
    const op = fc.oneof(
      fc.record({
        op: fc.constant('push' as const),
        n: fc.integer({ min: 1, max: 400 }),
        levels: fc.integer({ min: 0, max: 40 }),
        kind,
      }),
      fc.record({ op: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ op: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 16 }), (ops) => {
        const q = new RecentDiffs(SPOT, 'BTCUSDT');
        const model: BookDiff[] = [];
        let serial = 0;
        for (const o of ops) {
          if (o.op === 'push') {
            for (let k = 0; k < o.n; k++) {
              const d = diffOf(serial++, (o.levels + k) % 41, o.kind);
              q.push(d);
              model.push(d);
            }
          } else if (o.op === 'shift') {
            for (let k = 0; k < o.n; k++) {
              q.shift();
              model.shift();
            }
          } else {
            q.clear();
            model.length = 0;
          }
          expect(q.length).toBe(model.length);
          expect(q.oldestLocalTimeMs()).toBe(model[0]?.localTimeMs ?? Number.NaN);
          // Spot checks keep the property quick: the ends and a few in between.
          for (const i of new Set([0, 1, model.length >> 1, model.length - 2, model.length - 1])) {
            if (i < 0 || i >= model.length) continue;
            const want = model[i] as BookDiff;
            expect(q.firstUpdateIdAt(i)).toBe(want.firstUpdateId);
            expect(plainDiff(q.at(i) as BookDiff)).toEqual(plainDiff(want));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
