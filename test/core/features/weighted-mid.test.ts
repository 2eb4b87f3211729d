import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { volumeAdjustedMid, weightedMid } from '../../../src/core/features/weighted-mid.js';
import { arbBook, book, positiveQty } from './book.js';

describe('weightedMid', () => {
  it('leans toward the side with less quantity', () => {
    // (100·1 + 101·3)/(1 + 3) = 403/4 = 100.75: three times more bid than ask pulls it toward the ask
    expect(weightedMid(book([[100, 3]], [[101, 1]]))).toBe(100.75);
    // equal quantities: the plain mid
    expect(weightedMid(book([[100, 2]], [[101, 2]]))).toBe(100.5);
    // no bid quantity: (100·5 + 101·0)/5 = 100
    expect(weightedMid(book([[100, 0]], [[101, 5]]))).toBe(100);
  });

  it('is NaN for an empty side or no quantity at the touch', () => {
    expect(weightedMid(book([], [[101, 1]]))).toBeNaN();
    expect(weightedMid(book([[100, 1]], []))).toBeNaN();
    expect(weightedMid(book([[100, 0]], [[101, 0]]))).toBeNaN();
  });

  it('lies within [best bid, best ask] for uncrossed books', () => {
    fc.assert(
      fc.property(arbBook(positiveQty, 3, 1), (v) => {
        const w = weightedMid(v);
        return w >= v.bidPrices[0]! && w <= v.askPrices[0]!;
      }),
    );
  });
});

describe('volumeAdjustedMid (VAMP)', () => {
  const v = book(
    [
      [100, 1],
      [99, 2],
      [98, 3],
    ],
    [
      [101, 2],
      [102, 1],
    ],
  );

  it('crosses prices and quantities between sides, rank by rank', () => {
    // L=2: Σ p_bid·q_ask = 100·2 + 99·1 = 299; Σ p_ask·q_bid = 101·1 + 102·2 = 305; Σ q = 3 + 3 = 6
    // → 604/6 = 100.66666666666667
    expect(volumeAdjustedMid(v, 2)).toBe(604 / 6);
    // L=1: (100·2 + 101·1)/3 = 301/3
    expect(volumeAdjustedMid(v, 1)).toBe(301 / 3);
  });

  it('pairs only ranks present on both sides', () => {
    // bids have 3 levels, asks 2: L=5 uses 2 ranks
    expect(volumeAdjustedMid(v, 5)).toBe(604 / 6);
    expect(volumeAdjustedMid(book([[100, 1]], []), 5)).toBeNaN();
    expect(volumeAdjustedMid(v, 0)).toBeNaN();
    expect(volumeAdjustedMid(book([[100, 0]], [[101, 0]]), 1)).toBeNaN();
  });

  it('is the weighted mid at one level and lies within the prices it uses', () => {
    fc.assert(
      fc.property(arbBook(positiveQty, 6, 1), fc.integer({ min: 1, max: 8 }), (b, L) => {
        const w = weightedMid(b);
        if (Math.abs(volumeAdjustedMid(b, 1) - w) > 1e-12 * w) return false;
        const n = Math.min(L, b.bidCount, b.askCount);
        const x = volumeAdjustedMid(b, L);
        const slack = 1e-12 * x;
        return x >= b.bidPrices[n - 1]! - slack && x <= b.askPrices[n - 1]! + slack;
      }),
    );
  });
});
