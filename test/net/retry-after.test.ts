import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/net/retry-after.js';

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5); // Tue, 02 Jan 2024 03:04:05 GMT

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Tue, 02 Jan 2024 03:04:35 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 02 Jan 2024 03:05:05 GMT', NOW + 500)).toBe(59_500);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Tue, 02 Jan 2024 03:00:00 GMT', NOW)).toBe(0);
  });

  it('takes the first value of a repeated header', () => {
    expect(parseRetryAfter(['3', '9'], NOW)).toBe(3000);
  });

  it('returns null for absent or unreadable values', () => {
    for (const v of [undefined, null, '', '   ', '-1', 'soon', '12abc', '1e3', []]) {
      expect(parseRetryAfter(v as string | null | undefined, NOW)).toBeNull();
    }
  });
});
