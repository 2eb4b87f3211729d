import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferSizeError } from '../../../src/core/features/buffer-size-error.js';
import {
  multiLevelOrderFlowImbalance,
  orderFlowImbalance,
} from '../../../src/core/features/order-flow-imbalance.js';
import { NARROW, arbBook, book, integerQty, isNegation, mirror } from './book.js';

// prev: best bid 100×5, best ask 101×4
const PREV = book([[100, 5]], [[101, 4]]);

describe('orderFlowImbalance (Cont, Kukanov & Stoikov 2014)', () => {
  it.each([
    // [case, curr bid, curr ask, e]
    ['nothing changed: 5 − 5 − 4 + 4', [100, 5], [101, 4], 0],
    ['bid queue grows at the same price: 7 − 5', [100, 7], [101, 4], 2],
    ['bid queue shrinks at the same price: 1 − 5', [100, 1], [101, 4], -4],
    ['bid improves: only the new queue counts, +3', [100.5, 3], [101, 4], 3],
    ['bid drops: only the old queue counts, −5', [99, 6], [101, 4], -5],
    ['ask improves: only the new queue counts, −2', [100, 5], [100.5, 2], -2],
    ['ask retreats: only the old queue counts, +4', [100, 5], [102, 9], 4],
    ['ask queue grows at the same price: −(6 − 4)', [100, 5], [101, 6], -2],
    ['both sides move: (8 − 5) − 1 + 4', [100, 8], [101, 1], 6],
    ['bid up and ask down: +3 − 2', [100.5, 3], [100.75, 2], 1],
  ] as const)('%s', (_, bid, ask, e) => {
    expect(orderFlowImbalance(PREV, book([bid], [ask]))).toBe(e);
  });

  it('is NaN without a previous sample, or with an empty side or a NaN price', () => {
    expect(orderFlowImbalance(undefined, PREV)).toBeNaN();
    expect(orderFlowImbalance(PREV, undefined)).toBeNaN();
    expect(orderFlowImbalance(PREV, book([[100, 5]], []))).toBeNaN();
    expect(orderFlowImbalance(book([], [[101, 4]]), PREV)).toBeNaN();
    expect(orderFlowImbalance(PREV, book([[Number.NaN, 5]], [[101, 4]]))).toBeNaN();
  });

  const books = arbBook(integerQty, 5, 1, NARROW);

  it('is 0 between identical states', () => {
    fc.assert(fc.property(books, (v) => orderFlowImbalance(v, v) === 0));
  });

  it('flips sign when the book is mirrored (bids ↔ asks, prices reflected)', () => {
    fc.assert(
      fc.property(books, books, (a, b) => {
        const pivot = 3_000_000;
        return isNegation(orderFlowImbalance(a, b), orderFlowImbalance(mirror(a, pivot), mirror(b, pivot)));
      }),
    );
  });
});

describe('multiLevelOrderFlowImbalance (Xu, Gould & Howison 2019)', () => {
  const prev = book(
    [
      [100, 5],
      [99, 2],
    ],
    [
      [101, 4],
      [102, 3],
    ],
  );
  const curr = book(
    [
      [100, 6],
      [98, 1],
    ],
    [
      [101, 4],
      [103, 1],
    ],
  );

  it('applies the best-level rule to each level and sums', () => {
    // level 1: bid same price (6 − 5) = 1; ask same price (−4 + 4) = 0 → 1
    // level 2: bid 99 → 98 fell: −2; ask 102 → 103 retreated: +3 → 1
    const out = new Float64Array(2);
    expect(multiLevelOrderFlowImbalance(prev, curr, 2, out)).toBe(2);
    expect(Array.from(out)).toEqual([1, 1]);
  });

  it('marks a level missing from either sample NaN, and then the sum', () => {
    const out = new Float64Array(3);
    expect(multiLevelOrderFlowImbalance(prev, curr, 3, out)).toBeNaN();
    expect(Array.from(out)).toEqual([1, 1, Number.NaN]);
    expect(multiLevelOrderFlowImbalance(undefined, curr, 2, out)).toBeNaN();
    expect(Array.from(out.subarray(0, 2))).toEqual([Number.NaN, Number.NaN]);
    expect(multiLevelOrderFlowImbalance(prev, curr, 0, out)).toBeNaN();
  });

  it('throws a typed error when out is too short', () => {
    expect(() => multiLevelOrderFlowImbalance(prev, curr, 3, new Float64Array(2))).toThrow(BufferSizeError);
  });

  const books = arbBook(integerQty, 5, 5, NARROW);

  it('has level 1 equal to the best-level OFI, and is 0 between identical states', () => {
    fc.assert(
      fc.property(books, books, fc.integer({ min: 1, max: 5 }), (a, b, M) => {
        const out = new Float64Array(M);
        multiLevelOrderFlowImbalance(a, b, M, out);
        const same = new Float64Array(M);
        const zero = multiLevelOrderFlowImbalance(b, b, M, same);
        return Object.is(out[0], orderFlowImbalance(a, b)) && zero === 0 && same.every((e) => e === 0);
      }),
    );
  });

  it('flips sign level by level when the book is mirrored', () => {
    fc.assert(
      fc.property(books, books, (a, b) => {
        const pivot = 3_000_000;
        const out = new Float64Array(5);
        const flipped = new Float64Array(5);
        const sum = multiLevelOrderFlowImbalance(a, b, 5, out);
        const flippedSum = multiLevelOrderFlowImbalance(mirror(a, pivot), mirror(b, pivot), 5, flipped);
        return isNegation(sum, flippedSum) && out.every((e, m) => isNegation(e, flipped[m]!));
      }),
    );
  });
});
