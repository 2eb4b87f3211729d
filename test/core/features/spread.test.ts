import { describe, expect, it } from 'vitest';
import { bestAsk, bestBid, midPrice, spread, spreadBps } from '../../../src/core/features/spread.js';
import { book } from './book.js';

describe('top of book', () => {
  const v = book(
    [
      [100, 1],
      [99, 5],
    ],
    [
      [101, 2],
      [102, 1],
    ],
  );

  it('reads best prices, mid, spread and spread in bps', () => {
    expect(bestBid(v)).toBe(100);
    expect(bestAsk(v)).toBe(101);
    // (100 + 101)/2 = 100.5
    expect(midPrice(v)).toBe(100.5);
    expect(spread(v)).toBe(1);
    // 1/100.5 · 1e4 = 99.50248756218905 (Python: (1/100.5)*1e4)
    expect(spreadBps(v)).toBe(99.50248756218905);
  });

  it('keeps a crossed book visible as a negative spread', () => {
    const crossed = book([[101, 1]], [[100, 1]]);
    expect(spread(crossed)).toBe(-1);
    expect(spreadBps(crossed)).toBe((-1 / 100.5) * 1e4);
  });

  it('is NaN when a side is empty or the mid is zero', () => {
    const noAsks = book([[100, 1]], []);
    expect(bestBid(noAsks)).toBe(100);
    expect(bestAsk(noAsks)).toBeNaN();
    expect(midPrice(noAsks)).toBeNaN();
    expect(spread(noAsks)).toBeNaN();
    expect(spreadBps(noAsks)).toBeNaN();
    expect(bestBid(book([], [[1, 1]]))).toBeNaN();
    expect(spreadBps(book([[-1, 1]], [[1, 1]]))).toBeNaN();
  });
});
