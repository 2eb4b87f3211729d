import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/io/line-reader.js';

async function lines(chunks: readonly (Uint8Array | string)[], max?: number): Promise<(string | null)[]> {
  async function* source(): AsyncGenerator<Uint8Array | string> {
    yield* chunks;
  }
  const out: (string | null)[] = [];
  for await (const line of readLines(source(), max)) out.push(line);
  return out;
}

/** Splits `bytes` at the given cut points (which may fall inside a UTF-8 character). */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of sorted) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out;
}

describe('readLines', () => {
  it('splits on LF, drops a CR before it, and keeps an unterminated last line', async () => {
    expect(await lines(['a\r\nb\n', '\nc'])).toEqual(['a', 'b', '', 'c']);
    expect(await lines(['a\n'])).toEqual(['a']);
    expect(await lines([])).toEqual([]);
  });

  it('yields null for an over-long line and keeps counting lines after it', async () => {
    expect(await lines(['ok\n0123456789', 'abc\nnext\n'], 8)).toEqual(['ok', null, 'next']);
    expect(await lines(['ok\n0123456789abc'], 8)).toEqual(['ok', null]);
  });

  it('gives the same lines however the bytes are chunked, even inside UTF-8 characters (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\n')),
          { maxLength: 12 },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (parts, points) => {
          const text = parts.join('\n');
          const bytes = new TextEncoder().encode(text);
          // A terminating newline ends the last line; it does not start an empty one.
          const pieces = text.split('\n');
          if (pieces.at(-1) === '') pieces.pop();
          const expected = pieces.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
          expect(await lines(cut(bytes, points))).toEqual(expected);
        },
      ),
    );
  });
});
