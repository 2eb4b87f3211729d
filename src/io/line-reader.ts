/**
 * Splitting a byte stream into text lines. Written by hand rather than with `node:readline` because
 * readline does not forward errors of its input stream, and because one endless "line" (a binary file with
 * no newline) must not grow without bound.
 */
import { StringDecoder } from 'node:string_decoder';

/** Longest line kept, in UTF-16 code units. A 5000-level REST snapshot is about 250 kB, so this is generous. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Yields the lines of `chunks` (UTF-8) without their terminator (`\n` or `\r\n`). A final line without a
 * terminator is yielded too. A line longer than `maxLineChars` is yielded as `null` (its text is dropped
 * as it streams by), so line numbers stay right and memory stays bounded.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineChars: number = MAX_LINE_CHARS,
): AsyncGenerator<string | null, void, undefined> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let overflow = false;
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (overflow) {
        overflow = false;
        carry = '';
        yield null;
      } else {
        const piece = carry.length > 0 ? carry + text.slice(start, newline) : text.slice(start, newline);
        carry = '';
        if (piece.length > maxLineChars) yield null;
        else yield piece.endsWith('\r') ? piece.slice(0, -1) : piece;
      }
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (!overflow) {
      carry += text.slice(start);
      if (carry.length > maxLineChars) {
        overflow = true;
        carry = '';
      }
    }
  }
  const rest = carry + decoder.end();
  if (overflow) yield null;
  else if (rest.length > 0)
    yield rest.length > maxLineChars ? null : rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
