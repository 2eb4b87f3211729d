import { describe, expect, it } from 'vitest';
import { copyDiff, ParsedDiff, plainDiff } from '../../../src/core/book/parsed-diff.js';
import { PLACES_RADIX, parsedLevelCount, parsedLevelStrings } from '../../../src/core/book/parsed-levels.js';

const HEADER = {
  exchange: 'binance',
  market: 'spot',
  symbol: 'BTCUSDT',
  firstUpdateId: 10,
  finalUpdateId: 12,
  prevFinalUpdateId: null,
  exchangeTimeMs: 1723161600100,
  localTimeMs: 1723161600105.25,
} as const;

// "61837.63000000" / "0.01000" and "61837.64000000" / "0.00000000" as the scanner packs them.
const BIDS = [61837.63, 0.01, 8 * PLACES_RADIX + 5];
const ASKS = [61837.64, 0, 8 * PLACES_RADIX + 8, 7, 1.5, 0 * PLACES_RADIX + 1];

describe('ParsedDiff', () => {
  it('writes its levels back exactly as they were sent', () => {
    const diff = new ParsedDiff(HEADER, BIDS, ASKS);
    expect(parsedLevelCount(ASKS)).toBe(2);
    expect(diff.bids).toEqual([['61837.63000000', '0.01000']]);
    expect(diff.asks).toEqual([
      ['61837.64000000', '0.00000000'],
      ['7', '1.5'],
    ]);
    // Written once, then kept.
    expect(diff.bids).toBe(diff.bids);
    expect(parsedLevelStrings(BIDS)).toEqual(diff.bids);
  });

  it('serialises and copies as the plain diff it stands for', () => {
    const diff = new ParsedDiff(HEADER, BIDS, ASKS);
    const plain = {
      type: 'diff',
      ...HEADER,
      bids: [['61837.63000000', '0.01000']],
      asks: [
        ['61837.64000000', '0.00000000'],
        ['7', '1.5'],
      ],
    };
    expect(JSON.parse(JSON.stringify(diff))).toEqual(plain);
    expect(plainDiff(diff)).toEqual(plain);
    const later = copyDiff(diff, 5);
    expect(later).toBeInstanceOf(ParsedDiff);
    expect(plainDiff(later)).toEqual({ ...plain, localTimeMs: 5 });
    expect(diff.localTimeMs).toBe(HEADER.localTimeMs);
    // A plain diff is copied as a plain object.
    expect(copyDiff(plain as never, 7)).toEqual({ ...plain, localTimeMs: 7 });
  });
});
