import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferSizeError } from '../../../src/core/features/buffer-size-error.js';
import {
  askVolume,
  bidVolume,
  decayedImbalance,
  imbalanceAtDepths,
  orderBookImbalance,
  priceWeightedImbalance,
} from '../../../src/core/features/imbalance.js';
import { isObiError } from '../../../src/errors.js';
import { arbBook, book, isNegation, positiveQty, swapSides } from './book.js';

// bids 100×1, 99×2, 98×3; asks 101×2, 102×1 (the ask side is shallower than the bid side)
const BOOK = book(
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

describe('orderBookImbalance', () => {
  it('sums the top L levels of each side', () => {
    // L=1: (1 − 2)/(1 + 2) = −1/3
    expect(orderBookImbalance(BOOK, 1)).toBe(-1 / 3);
    // L=2: bids 1+2 = 3, asks 2+1 = 3 → 0/6 = 0
    expect(orderBookImbalance(BOOK, 2)).toBe(0);
    // L=3: bids 1+2+3 = 6, asks only 2 levels: 3 → (6 − 3)/9 = 1/3
    expect(orderBookImbalance(BOOK, 3)).toBe(1 / 3);
  });

  it('uses the levels present when L exceeds the book', () => {
    expect(orderBookImbalance(BOOK, 50)).toBe(1 / 3);
    expect(bidVolume(BOOK, 50)).toBe(6);
    expect(askVolume(BOOK, 50)).toBe(3);
    expect(bidVolume(BOOK, 2)).toBe(3);
    expect(askVolume(BOOK, 1)).toBe(2);
  });

  it('adds left to right like Python sum, so it agrees with the seed bit for bit', () => {
    // Python: sum([0.1, 0.2, 0.3]) = (0.1 + 0.2) + 0.3 = 0.6000000000000001, not 0.6;
    // (0.6000000000000001 − 0.6)/(0.6000000000000001 + 0.6) = 9.25185853854297e-17 (not 0).
    const v = book(
      [
        [3, 0.1],
        [2, 0.2],
        [1, 0.3],
      ],
      [[4, 0.6]],
    );
    expect(bidVolume(v, 3)).toBe(0.6000000000000001);
    expect(orderBookImbalance(v, 3)).toBe(9.25185853854297e-17);
  });

  it('is NaN for an empty side, L < 1 and a zero denominator; ±1 when one side has no quantity', () => {
    expect(orderBookImbalance(book([[100, 1]], []), 5)).toBeNaN();
    expect(orderBookImbalance(book([], [[101, 1]]), 5)).toBeNaN();
    expect(bidVolume(book([], [[101, 1]]), 5)).toBeNaN();
    expect(orderBookImbalance(BOOK, 0)).toBeNaN();
    expect(orderBookImbalance(BOOK, Number.NaN)).toBeNaN();
    expect(orderBookImbalance(book([[100, 0]], [[101, 0]]), 5)).toBeNaN();
    expect(orderBookImbalance(book([[100, 4]], [[101, 0]]), 5)).toBe(1);
    expect(orderBookImbalance(book([[100, 0]], [[101, 4]]), 5)).toBe(-1);
  });

  it('stays in [−1, 1] and flips sign when the sides swap', () => {
    fc.assert(
      fc.property(arbBook(positiveQty), fc.integer({ min: 1, max: 10 }), (v, L) => {
        const obi = orderBookImbalance(v, L);
        if (v.bidCount === 0 || v.askCount === 0) return Number.isNaN(obi);
        return obi >= -1 && obi <= 1 && isNegation(obi, orderBookImbalance(swapSides(v), L));
      }),
    );
  });
});

describe('priceWeightedImbalance', () => {
  it('weights each quantity by its price (seed obi_pw)', () => {
    // L=2: bid 100·1 + 99·2 = 298, ask 101·2 + 102·1 = 304 → (298 − 304)/602 = −3/301
    expect(priceWeightedImbalance(BOOK, 2)).toBe(-6 / 602);
    // L=1: bid 100, ask 202 → −102/302
    expect(priceWeightedImbalance(BOOK, 1)).toBe(-102 / 302);
    expect(priceWeightedImbalance(book([[100, 1]], []), 1)).toBeNaN();
  });

  it('stays in [−1, 1] and flips sign when the sides swap', () => {
    fc.assert(
      fc.property(arbBook(positiveQty), fc.integer({ min: 1, max: 10 }), (v, L) => {
        const x = priceWeightedImbalance(v, L);
        if (v.bidCount === 0 || v.askCount === 0) return Number.isNaN(x);
        return x >= -1 && x <= 1 && isNegation(x, priceWeightedImbalance(swapSides(v), L));
      }),
    );
  });
});

describe('imbalanceAtDepths', () => {
  it('computes several depths in one call', () => {
    const out = new Float64Array(4);
    expect(imbalanceAtDepths(BOOK, [1, 5, 10, 20], out)).toBe(out);
    expect(Array.from(out)).toEqual([-1 / 3, 1 / 3, 1 / 3, 1 / 3]);
  });

  it('accepts any order and repeats, and gives NaN for depths below 1', () => {
    const out = new Float64Array(5).fill(7);
    imbalanceAtDepths(BOOK, [2, 0, 1, 2, -3], out);
    expect(Array.from(out)).toEqual([0, Number.NaN, -1 / 3, 0, Number.NaN]);
  });

  it('is all NaN when a side is empty', () => {
    const out = new Float64Array(2);
    imbalanceAtDepths(book([[100, 1]], []), [1, 2], out);
    expect(Array.from(out)).toEqual([Number.NaN, Number.NaN]);
  });

  it('throws a typed error when out is too short', () => {
    const call = () => imbalanceAtDepths(BOOK, [1, 2, 3], new Float64Array(2));
    expect(call).toThrow(BufferSizeError);
    try {
      call();
    } catch (e) {
      expect(isObiError(e)).toBe(true);
    }
  });

  it('equals orderBookImbalance at every depth, bit for bit', () => {
    fc.assert(
      fc.property(
        arbBook(positiveQty),
        fc.array(fc.integer({ min: -1, max: 12 }), { maxLength: 6 }),
        (v, ds) => {
          const out = imbalanceAtDepths(v, ds, new Float64Array(ds.length));
          return ds.every((d, j) => Object.is(out[j], orderBookImbalance(v, d)));
        },
      ),
    );
  });
});

describe('decayedImbalance', () => {
  it('weights level i (0 = best) by e^(−alpha·i)', () => {
    // alpha = ln 2 → weights 1, 1/2, 1/4: bid 1 + 2/2 + 3/4 = 2.75, ask 2 + 1/2 = 2.5 → 0.25/5.25 = 1/21
    expect(decayedImbalance(BOOK, 3, Math.LN2)).toBeCloseTo(1 / 21, 15);
    // L=1 ignores alpha: the best level always weighs 1
    expect(decayedImbalance(BOOK, 1, 5)).toBe(-1 / 3);
    expect(decayedImbalance(book([], [[101, 1]]), 3, 1)).toBeNaN();
  });

  it('is exactly the plain OBI at alpha = 0, and stays in [−1, 1] otherwise', () => {
    fc.assert(
      fc.property(
        arbBook(positiveQty),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (v, L, alpha) => {
          if (!Object.is(decayedImbalance(v, L, 0), orderBookImbalance(v, L))) return false;
          const x = decayedImbalance(v, L, alpha);
          if (v.bidCount === 0 || v.askCount === 0) return Number.isNaN(x);
          return x >= -1 && x <= 1 && isNegation(x, decayedImbalance(swapSides(v), L, alpha));
        },
      ),
    );
  });
});
