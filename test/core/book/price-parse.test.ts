import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedPlaces, parseDecimal } from '../../../src/core/book/price-parse.js';

/** Plain decimals as venues send them, with up to 30 digits on each side so the fallback is exercised. */
const decimal = fc
  .tuple(fc.stringMatching(/^\d{1,30}$/), fc.option(fc.stringMatching(/^\d{1,30}$/), { nil: undefined }))
  .map(([i, f]) => (f === undefined ? i : `${i}.${f}`));

describe('parseDecimal', () => {
  it('reads Binance prices and quantities', () => {
    expect(parseDecimal('61837.63000000')).toBe(61837.63);
    expect(parseDecimal('0.00001234')).toBe(0.00001234);
    expect(parseDecimal('0.00000000')).toBe(0);
    expect(parseDecimal('1001')).toBe(1001);
    expect(parseDecimal('0.1')).toBe(0.1);
  });

  it('agrees with Number where the fast path does not apply', () => {
    // 2^53 + 1 has no double: it must round as Number rounds it, not be accumulated digit by digit.
    expect(parseDecimal('9007199254740993')).toBe(Number('9007199254740993'));
    expect(parseDecimal('5.000000000000000010')).toBe(5);
    expect(parseDecimal('0.' + '1'.repeat(23))).toBe(Number('0.' + '1'.repeat(23)));
    for (const s of [
      '',
      '.',
      '1.',
      '.5',
      '-1',
      '1e5',
      ' 1',
      '1 ',
      '0x10',
      'NaN',
      'Infinity',
      '1.2.3',
      '1_0',
    ]) {
      expect(Object.is(parseDecimal(s), Number(s))).toBe(true);
    }
  });

  it('equals Number(s) bit for bit on plain decimals', () => {
    fc.assert(
      fc.property(decimal, (s) => Object.is(parseDecimal(s), Number(s))),
      { numRuns: 20_000 },
    );
  });

  it('equals Number(s) bit for bit on the shortest spelling of any double', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = x.toFixed(Math.min(20, Math.max(0, 20 - Math.floor(Math.log10(Math.max(x, 1e-300))))));
        return Object.is(parseDecimal(s), Number(s)) && Object.is(parseDecimal(String(x)), Number(String(x)));
      }),
      { numRuns: 20_000 },
    );
  });

  it('equals Number(s) on arbitrary strings of digits, dots, signs and exponents', () => {
    const chars = fc.constantFrom(...'0123456789.e+- x'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 24 }), (s) => Object.is(parseDecimal(s), Number(s))),
      { numRuns: 20_000 },
    );
  });
});

describe('fixedPlaces', () => {
  it('counts the fraction digits of spellings toFixed writes back', () => {
    expect(fixedPlaces('61837.63000000')).toBe(8);
    expect(fixedPlaces('0.00001234')).toBe(8);
    expect(fixedPlaces('0')).toBe(0);
    expect(fixedPlaces('1001')).toBe(0);
    // 16 digits, m = 1234567812345678 < 2^52: still exact.
    expect(fixedPlaces('12345678.12345678')).toBe(8);
  });

  it('refuses spellings toFixed cannot rebuild', () => {
    // m >= 2^52, a leading zero, a bare dot, anything not a plain decimal.
    for (const s of [
      '4503599627370496',
      '45035996.27370496',
      '01.5',
      '00',
      '.5',
      '5.',
      '',
      '-1',
      '1e5',
      ' 1',
    ]) {
      expect(fixedPlaces(s)).toBe(-1);
    }
  });

  it('promises only what Number(s).toFixed(places) gives back', () => {
    fc.assert(
      fc.property(decimal, (s) => {
        const places = fixedPlaces(s);
        if (places >= 0) expect(Number(s).toFixed(places)).toBe(s);
        else expect(/^(0|[1-9]\d*)(\.\d+)?$/.test(s) && BigInt(s.replace('.', '')) < 2n ** 52n).toBe(false);
      }),
      { numRuns: 20000 },
    );
  });
});
