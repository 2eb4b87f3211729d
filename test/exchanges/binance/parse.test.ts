import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.js';
import { parseDepthUpdate, parseLevels, type ParseContext } from '../../../src/exchanges/binance/parse.js';

const ctx: ParseContext = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', localTimeMs: 1 };

/** The documented shape of a price or quantity (web-socket-streams.md sends fixed-point decimal strings). */
const SHAPE = /^\d+(\.\d+)?$/;

function accepts(value: string): boolean {
  try {
    parseLevels(
      [
        [value, '1'],
        ['1', value],
      ],
      ctx,
      'b',
    );
    return true;
  } catch (error) {
    if (error instanceof ParseError) return false;
    throw error;
  }
}

describe('parseLevels', () => {
  it('accepts fixed-point decimal strings and rejects anything else', () => {
    for (const ok of ['61837.63000000', '0.00001234', '0', '1001', '0.0', '9'.repeat(63)])
      expect(accepts(ok)).toBe(true);
    for (const bad of ['', '.', '1.', '.5', '-1', '1e5', ' 1', '1 ', 'NaN', '1.2.3', '１', '9'.repeat(64)])
      expect(accepts(bad)).toBe(false);
  });

  it('accepts exactly the strings of the documented shape, under 64 characters', () => {
    const chars = fc.constantFrom(...'0123456789.e- '.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 70 }), (s) => {
        expect(accepts(s)).toBe(s.length < 64 && SHAPE.test(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('rejects a level that is not a pair of strings', () => {
    expect(() => parseLevels([['1', 2]], ctx, 'b')).toThrow(ParseError);
    expect(() => parseLevels([['1']], ctx, 'b')).toThrow(ParseError);
    expect(() => parseLevels({}, ctx, 'b')).toThrow(ParseError);
  });
});

describe('parseDepthUpdate', () => {
  it('parses a Binance spot diff, levels verbatim', () => {
    const diff = parseDepthUpdate(
      { e: 'depthUpdate', E: 5, s: 'BTCUSDT', U: 10, u: 12, b: [['61837.62000000', '1.5']], a: [] },
      ctx,
    );
    expect(diff).toMatchObject({
      symbol: 'BTCUSDT',
      firstUpdateId: 10,
      finalUpdateId: 12,
      prevFinalUpdateId: null,
    });
    expect(diff.bids).toEqual([['61837.62000000', '1.5']]);
  });

  it('rejects a diff with a malformed quantity', () => {
    expect(() =>
      parseDepthUpdate({ e: 'depthUpdate', E: 5, s: 'BTCUSDT', U: 10, u: 12, b: [['1', '1e3']], a: [] }, ctx),
    ).toThrow(ParseError);
  });
});
