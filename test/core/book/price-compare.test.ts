import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDecimalStrings,
  comparePriceStrings,
  isExactAsDouble,
  samePrice,
} from '../../../src/core/book/price-compare.js';

/** Independent reference: scale both decimals to integers with BigInt. */
function reference(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(scale, '0'));
  const y = BigInt(bi + bf.padEnd(scale, '0'));
  return x < y ? -1 : x > y ? 1 : 0;
}

const decimal = fc
  .tuple(fc.stringMatching(/^\d{1,12}$/), fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }))
  .map(([i, f]) => (f === undefined ? i : `${i}.${f}`));

describe('price-compare', () => {
  it('treats spellings of one decimal as the same price', () => {
    expect(samePrice('61837.63000000', '61837.63')).toBe(true);
    expect(samePrice('1.10', '1.1')).toBe(true);
    expect(samePrice('01.1', '1.100')).toBe(true);
    expect(samePrice('0.00000000', '0')).toBe(true);
    expect(samePrice('1.1', '1.01')).toBe(false);
  });

  it('orders decimals by value', () => {
    expect(comparePriceStrings('61837.62', '61837.63000000')).toBe(-1);
    expect(comparePriceStrings('100', '99.99999999')).toBe(1);
    expect(comparePriceStrings('0.00001234', '0.000012340')).toBe(0);
  });

  it('separates prices with more than 15 digits that share one double', () => {
    // Number() maps all three to 5: only the digits tell them apart.
    expect(Number('5.00000000000000001')).toBe(5);
    expect(isExactAsDouble('5.00000000000000001')).toBe(false);
    expect(comparePriceStrings('5.00000000000000001', '5')).toBe(1);
    expect(comparePriceStrings('5.00000000000000001', '5.00000000000000002')).toBe(-1);
    expect(comparePriceStrings('5.000000000000000010', '5.00000000000000001')).toBe(0);
  });

  it('counts significant digits, not characters, for the fast path', () => {
    expect(isExactAsDouble('0.00001234000000')).toBe(true);
    expect(isExactAsDouble('123456789012345')).toBe(true);
    expect(isExactAsDouble('1234567890123456')).toBe(false);
    expect(isExactAsDouble('12345678.12345670')).toBe(true);
    expect(isExactAsDouble('12345678.12345678')).toBe(false);
    expect(isExactAsDouble('000000000000000000')).toBe(true);
  });

  it('agrees with a BigInt reference on random decimals', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const want = reference(a, b);
        expect(compareDecimalStrings(a, b)).toBe(want);
        expect(comparePriceStrings(a, b)).toBe(want);
      }),
      { seed: 20240808, numRuns: 2000 },
    );
  });

  it('agrees with the reference on near-equal long decimals', () => {
    const long = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.stringMatching(/^[0-2]{14,20}$/))
      .map(([i, f]) => `${i}.${f}`);
    fc.assert(
      fc.property(long, long, (a, b) => {
        expect(comparePriceStrings(a, b)).toBe(reference(a, b));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
