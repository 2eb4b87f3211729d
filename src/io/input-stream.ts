/**
 * Opening an input file for reading: plain or gzip, told apart by the gzip magic bytes (RFC 1952 §2.3.1:
 * ID1=0x1f, ID2=0x8b), never by the extension alone, so a renamed or `cat`-ed file still reads.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { ConfigError, ParseError } from '../errors.js';
import { describeFsError, fsErrorCode } from './fs-error.js';
import { readAt } from './read-at.js';

/** An opened input: its byte stream (already decompressed) and whether it was gzip. */
export interface InputStream {
  readonly stream: Readable;
  readonly gzip: boolean;
}

/** Returns true when `bytes` starts with the gzip magic number. */
export function isGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Returns the decompressed byte stream of `path`. A missing or unreadable file is a ConfigError (the user
 * must change the command). A truncated gzip file (a recorder killed mid-write) reads up to where it stops:
 * `Z_SYNC_FLUSH` as the finishing flush makes zlib hand out what it has instead of failing; a partial last
 * line then shows up as one malformed line. Corrupt gzip data fails the read with a ParseError.
 */
export async function openInputStream(path: string): Promise<InputStream> {
  let head: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      head = await readAt(handle, 0, 2);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${describeFsError(error)}`, 'input');
  }
  const raw = createReadStream(path);
  if (!isGzipMagic(head)) return { stream: raw, gzip: false };
  const gunzip = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH });
  // pipeline() forwards an error of either stage to `gunzip`, whose iterator then throws it.
  const out = pipeline(raw, gunzip, () => {});
  return { stream: out, gzip: true };
}

/** Returns a ParseError for a failure while reading `source` (corrupt gzip, I/O error mid-file). */
export function readFailure(source: string, afterLine: number, error: unknown): ParseError {
  const code = fsErrorCode(error);
  const what = code === 'Z_DATA_ERROR' ? 'corrupt gzip data' : describeFsError(error);
  return new ParseError(`${source}: ${what} after line ${afterLine}`, source, afterLine, { cause: error });
}
