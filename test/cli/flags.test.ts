import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parsePath } from '../../src/cli/flags.js';

describe('parsePath', () => {
  it('passes a path through as it is, spaces and shell characters included', () => {
    expect(parsePath('out dir/$(x).csv')).toBe('out dir/$(x).csv');
    expect(parsePath('-')).toBe('-');
  });

  it('refuses an empty path and a NUL character with a usage error', () => {
    expect(() => parsePath('')).toThrow(InvalidArgumentError);
    expect(() => parsePath('')).toThrow('expected a path, got an empty string');
    expect(() => parsePath('a\u0000b.csv')).toThrow(InvalidArgumentError);
    expect(() => parsePath('a\u0000b.csv')).toThrow('without a NUL character, got "a\\u0000b.csv"');
  });
});
