import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { decimalsOf, formatUnits, parseUnits } from '../../../src/exchanges/simulator/fixed-decimal.js';

describe('fixed decimals', () => {
  it('parses and formats exactly', () => {
    expect(parseUnits('0.01', 'x')).toBe(1_000_000);
    expect(parseUnits('61837.63', 'x')).toBe(6_183_763_000_000);
    expect(parseUnits('0.00000001', 'x')).toBe(1);
    expect(parseUnits('0.10000000000', 'x')).toBe(10_000_000);
    expect(formatUnits(6_183_763_000_000, 8)).toBe('61837.63000000');
    expect(formatUnits(1_000_000, 2)).toBe('0.01');
    expect(formatUnits(0, 8)).toBe('0.00000000');
    expect(formatUnits(300_000_000, 0)).toBe('3');
    expect(decimalsOf('0.10')).toBe(2);
    expect(decimalsOf('1')).toBe(0);
  });

  it('rejects non-decimals and excess precision', () => {
    for (const bad of ['', '1e5', '-1', '0.000000001', 'abc', '1.'])
      expect(() => parseUnits(bad, 'x')).toThrow(ConfigError);
  });

  it('round-trips every 8-decimal value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), (units) => {
        expect(parseUnits(formatUnits(units, 8), 'x')).toBe(units);
      }),
    );
  });
});
