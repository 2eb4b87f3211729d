import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  askDepthSlope,
  bidDepthSlope,
  depthSlopeDifference,
} from '../../../src/core/features/depth-slope.js';
import { arbBook, book, positiveQty, type Level } from './book.js';

const side = (qtys: readonly number[], start: number, step: number): Level[] =>
  qtys.map((q, i) => [start + step * i, q]);
const bidsWith = (qtys: readonly number[]) => book(side(qtys, 100, -1), [[101, 1]]);

describe('depth slope: least squares of ln(quantity) on level rank', () => {
  it('recovers the growth rate of a geometric book', () => {
    // points (1, ln 1), (2, ln 2), (3, ln 4): a line of slope ln 2
    expect(bidDepthSlope(bidsWith([1, 2, 4]), 10)).toBeCloseTo(Math.LN2, 15);
    // 8, 4, 2, 1 thins out: slope −ln 2
    expect(bidDepthSlope(bidsWith([8, 4, 2, 1]), 10)).toBeCloseTo(-Math.LN2, 15);
  });

  it('fits a non-collinear case', () => {
    // x = 1, 2, 3 (x̄ = 2); y = 0, ln 2, 3 ln 2.
    // Σ(x − x̄)(y − ȳ) = Σ(x − x̄)y = −1·0 + 0·ln 2 + 1·3 ln 2 = 3 ln 2; Σ(x − x̄)² = 2
    // → slope 1.5 ln 2
    expect(bidDepthSlope(bidsWith([1, 2, 8]), 3)).toBeCloseTo(1.5 * Math.LN2, 15);
    // only the top L levels: [1, 2] → ln 2
    expect(bidDepthSlope(bidsWith([1, 2, 8]), 2)).toBeCloseTo(Math.LN2, 15);
  });

  it('skips non-positive quantities but keeps the ranks of the others', () => {
    // points (1, ln 4) and (3, ln 1): slope (0 − ln 4)/(3 − 1) = −ln 2
    expect(bidDepthSlope(bidsWith([4, 0, 1]), 3)).toBeCloseTo(-Math.LN2, 15);
  });

  it('is NaN with fewer than two points', () => {
    expect(bidDepthSlope(bidsWith([5]), 10)).toBeNaN();
    expect(bidDepthSlope(bidsWith([5, 0]), 10)).toBeNaN();
    expect(bidDepthSlope(bidsWith([5, 6]), 1)).toBeNaN();
    expect(askDepthSlope(book([[100, 1]], []), 10)).toBeNaN();
    expect(depthSlopeDifference(bidsWith([1, 2]), 10)).toBeNaN(); // one ask level only
  });

  it('differences the two sides, bid minus ask', () => {
    const v = book(side([1, 2, 4], 100, -1), side([8, 4, 2, 1], 101, 1));
    expect(askDepthSlope(v, 10)).toBeCloseTo(-Math.LN2, 15);
    // ln 2 − (−ln 2) = 2 ln 2
    expect(depthSlopeDifference(v, 10)).toBeCloseTo(2 * Math.LN2, 14);
  });

  it('does not change when every quantity is scaled (a shift of ln q)', () => {
    fc.assert(
      fc.property(arbBook(positiveQty, 8, 2), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (v, c) => {
        const scaled = book(
          Array.from({ length: v.bidCount }, (_, i): Level => [v.bidPrices[i]!, v.bidQtys[i]! * c]),
          [],
        );
        const a = bidDepthSlope(v, 8);
        return Math.abs(bidDepthSlope(scaled, 8) - a) <= 1e-9 * Math.max(1, Math.abs(a));
      }),
    );
  });
});
