/**
 * Making a single-file recording safe to append to after its writer was killed. The writer adds whole
 * lines (plain) or whole gzip members, one per batch (recording-writer.ts), so only the last line or member
 * can be torn. A torn end is harmless to a reader as long as it stays the end (a cut gzip member reads up
 * to where it stops), but appended data after it would be read as part of it: garbage lines, or corrupt
 * deflate data that ends the read. So before appending, the torn end is cut off:
 *
 * - plain NDJSON: everything after the last `\n`;
 * - gzip: everything after the last complete member (RFC 1952 §2.2: a file is a series of members; each is
 *   a header, a deflate stream, CRC32 and ISIZE), found by trying member starts backwards from the end.
 */
import { open, truncate } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { ConfigError } from '../errors.js';
import { describeFsError, fsErrorCode } from './fs-error.js';
import { isGzipMagic } from './input-stream.js';
import { toOutputError } from './output-stream.js';
import { readAt } from './read-at.js';

/** The first window searched for the last complete gzip member; doubled until it holds one. */
const FIRST_WINDOW_BYTES = 1024 * 1024;
/** A member is one batch (a few hundred kB, a 16 MiB line at most); past this the file is not ours. */
const MAX_WINDOW_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

/** What `repairRecordingTail` found and did. */
export interface RecordingTailRepair {
  readonly gzip: boolean;
  /** Bytes cut off the end (0 when the file ended cleanly). */
  readonly droppedBytes: number;
  /** Bytes kept. */
  readonly keptBytes: number;
}

/**
 * Cuts a torn last line (plain) or member (gzip) off the recording file at `path`; returns what was done,
 * or null when there is no such file. Throws a ConfigError when the file cannot be read or its end cannot
 * be made sense of, an OutputError when it cannot be cut.
 */
export async function repairRecordingTail(path: string): Promise<RecordingTailRepair | null> {
  const found = await completeLength(path);
  if (found === null) return null;
  const { size, kept, gzip } = found;
  if (kept < size) {
    try {
      await truncate(path, kept);
    } catch (error) {
      throw toOutputError(path, error);
    }
  }
  return { gzip, droppedBytes: size - kept, keptBytes: kept };
}

/** Returns the file's size, how many leading bytes are complete, and whether it is gzip; null when missing. */
async function completeLength(path: string): Promise<{ size: number; kept: number; gzip: boolean } | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT') return null;
    throw new ConfigError(`cannot read recording ${path}: ${describeFsError(error)}`, 'record');
  }
  try {
    const size = (await handle.stat()).size;
    const read = (position: number, length: number): Promise<Buffer> => readAt(handle, position, length);
    const gzip = isGzipMagic(await read(0, 2));
    if (!gzip) {
      for (let end = size; end > 0; end -= FIRST_WINDOW_BYTES) {
        const start = Math.max(0, end - FIRST_WINDOW_BYTES);
        const nl = (await read(start, end - start)).lastIndexOf(NEWLINE);
        if (nl >= 0) return { size, kept: start + nl + 1, gzip };
      }
      return { size, kept: 0, gzip };
    }
    for (let window = FIRST_WINDOW_BYTES; ; window *= 2) {
      const start = Math.max(0, size - window);
      const end = lastMemberEnd(await read(start, size - start));
      if (end !== null) return { size, kept: start + end, gzip };
      if (start === 0) return { size, kept: 0, gzip };
      if (window >= MAX_WINDOW_BYTES) {
        throw new ConfigError(
          `${path}: no complete gzip member in its last ${MAX_WINDOW_BYTES >> 20} MiB, so it is not a ` +
            'recording obi can append to; record to a new path',
          'record',
        );
      }
    }
  } finally {
    await handle.close();
  }
}

/** Returns where the last complete gzip member within `data` ends, or null when none does. */
export function lastMemberEnd(data: Uint8Array): number | null {
  for (let p = data.length - 3; p >= 0; p--) {
    if (data[p] !== 0x1f || data[p + 1] !== 0x8b || data[p + 2] !== 8) continue;
    const end = completeMemberAt(data, p);
    if (end !== null) return end;
  }
  return null;
}

/** Returns the end of the complete, CRC-checked gzip member starting at `p`, or null. */
function completeMemberAt(data: Uint8Array, p: number): number | null {
  const flags = data[p + 3];
  if (flags === undefined || (flags & 0xe0) !== 0) return null;
  let q = p + 10;
  if (flags & 4) {
    if (q + 2 > data.length) return null;
    q += 2 + ((data[q] as number) | ((data[q + 1] as number) << 8));
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      while (q < data.length && data[q] !== 0) q++;
      q++;
    }
  }
  if (flags & 2) q += 2;
  if (q >= data.length) return null;
  let out: Buffer;
  let consumed: number;
  try {
    const result = inflateRawSync(data.subarray(q), { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    out = result.buffer;
    consumed = result.engine.bytesWritten;
  } catch {
    return null;
  }
  const trailer = q + consumed;
  if (trailer + 8 > data.length) return null;
  const word = (at: number): number =>
    ((data[at] as number) |
      ((data[at + 1] as number) << 8) |
      ((data[at + 2] as number) << 16) |
      ((data[at + 3] as number) << 24)) >>>
    0;
  if (word(trailer) !== crc32(out) || word(trailer + 4) !== out.length % 2 ** 32) return null;
  return trailer + 8;
}
