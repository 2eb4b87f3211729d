/** Reading a whole text file into memory as its lines, once, before any timing starts. */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Returns the non-empty lines of the UTF-8 file at `path`. */
export async function readLineArray(path: string): Promise<string[]> {
  const lines: string[] = [];
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + decoder.write(chunk as Buffer);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (newline > start) lines.push(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry.length > 0) lines.push(carry);
  return lines;
}
