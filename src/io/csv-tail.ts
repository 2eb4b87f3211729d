/**
 * The end of a feature CSV that a run may have left mid-write. Each row is written as one complete line, but
 * a process killed with SIGKILL (or a full disk) can still leave the last line cut short: Linux may end a
 * write(2) early on a fatal signal, and a user-space buffer is written in pieces. So a CSV's complete lines
 * are trustworthy and a last line without its `\n` is not. This module finds that boundary, reads the last
 * complete row of each symbol (reading backwards, so a long file is not read whole), and cuts a torn tail
 * off before a resumed run appends.
 */
import { open, truncate } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { parseCsvLine } from './csv-line.js';
import { describeFsError, fsErrorCode } from './fs-error.js';
import { toOutputError } from './output-stream.js';
import { readAt } from './read-at.js';

/** Bytes read per step, forwards for the header and backwards for the last rows. */
const CHUNK_BYTES = 64 * 1024;
/** A header longer than this is not one of ours (obi's is about 1 kB). */
const MAX_HEADER_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** What the end of a CSV looks like. */
export interface CsvTail {
  /** File size in bytes. */
  readonly size: number;
  /** The header's fields, or null when the file holds no complete first line. */
  readonly header: readonly string[] | null;
  /** The text before the first `\n` (or all of it when there is none), at most 1 MiB: for messages. */
  readonly headerText: string;
  /** Bytes up to and including the last `\n`: the complete lines. */
  readonly completeBytes: number;
  /** Bytes after the last `\n`: a torn last line (0 when the file ends with a complete line). */
  readonly tornBytes: number;
  /** Per symbol, the `time_ms` of its last complete row (only symbols found; see `inspectCsvTail`). */
  readonly lastTimeMs: ReadonlyMap<string, number>;
  /** Complete lines after the header that do not fit it (wrong field count, broken quoting, no time). */
  readonly invalidLines: number;
}

/** Options of `inspectCsvTail`. */
export interface InspectCsvTailOptions {
  /**
   * Stop reading backwards once every one of these symbols has its last row. Without it, the whole file is
   * read backwards (every symbol's last row).
   */
  readonly symbols?: readonly string[];
}

/**
 * Returns the shape of the CSV's end, or null when `path` does not exist. Reads the header forwards and the
 * rows backwards from the last complete line. Throws a ConfigError when the file cannot be read.
 */
export async function inspectCsvTail(
  path: string,
  options: InspectCsvTailOptions = {},
): Promise<CsvTail | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT') return null;
    throw new ConfigError(`cannot read ${path}: ${describeFsError(error)}`, 'csv');
  }
  try {
    const size = (await handle.stat()).size;
    const read = (position: number, length: number): Promise<Buffer> => readAt(handle, position, length);

    // The header: the bytes before the first newline.
    let headerEnd = -1;
    let head = Buffer.alloc(0);
    while (headerEnd < 0 && head.length < Math.min(size, MAX_HEADER_BYTES)) {
      const chunk = await read(head.length, Math.min(CHUNK_BYTES, size - head.length));
      if (chunk.length === 0) break;
      const nl = chunk.indexOf(NEWLINE);
      head = Buffer.concat([head, nl >= 0 ? chunk.subarray(0, nl) : chunk]);
      if (nl >= 0) headerEnd = head.length;
    }
    const headerText = stripLineEnd(head.toString('utf8')).replace(/^\uFEFF/, '');
    const header = headerEnd < 0 ? null : parseCsvLine(headerText);

    // The last newline: everything after it is a torn line.
    let completeBytes = 0;
    for (let end = size; end > 0 && completeBytes === 0; end -= CHUNK_BYTES) {
      const start = Math.max(0, end - CHUNK_BYTES);
      const chunk = await read(start, end - start);
      const nl = chunk.lastIndexOf(NEWLINE);
      if (nl >= 0) completeBytes = start + nl + 1;
    }

    const lastTimeMs = new Map<string, number>();
    let invalidLines = 0;
    if (header !== null) {
      const symbolAt = header.indexOf('symbol');
      const timeAt = header.indexOf('time_ms');
      const wanted = options.symbols === undefined ? null : new Set(options.symbols);
      const done = (): boolean => wanted !== null && [...wanted].every((s) => lastTimeMs.has(s));
      const firstRow = headerEnd + 1;
      // Backwards, line by line, over [firstRow, completeBytes).
      let carry = Buffer.alloc(0);
      let end = completeBytes;
      while (end > firstRow && !done()) {
        const start = Math.max(firstRow, end - CHUNK_BYTES);
        const block = Buffer.concat([await read(start, end - start), carry]);
        end = start;
        let stop = block.length;
        // The last byte of the span is the newline of its last line.
        if (stop > 0 && block[stop - 1] === NEWLINE && carry.length === 0) stop -= 1;
        for (;;) {
          // (lastIndexOf with a negative offset would count from the end)
          const nl = stop > 0 ? block.lastIndexOf(NEWLINE, stop - 1) : -1;
          if (nl < 0 && start > firstRow) {
            carry = block.subarray(0, stop);
            break;
          }
          const line = stripLineEnd(block.subarray(nl + 1, stop).toString('utf8'));
          stop = nl;
          if (line.length > 0) {
            const fields = parseCsvLine(line);
            const time = fields === null ? Number.NaN : Number(fields[timeAt]);
            if (fields === null || fields.length !== header.length || !Number.isFinite(time)) {
              invalidLines++;
            } else {
              const symbol = symbolAt >= 0 ? (fields[symbolAt] as string) : '';
              if (!lastTimeMs.has(symbol)) lastTimeMs.set(symbol, time);
            }
          }
          if (nl < 0 || done()) {
            carry = Buffer.alloc(0);
            break;
          }
        }
      }
    }
    return {
      size,
      header,
      headerText,
      completeBytes,
      tornBytes: size - completeBytes,
      lastTimeMs,
      invalidLines,
    };
  } finally {
    await handle.close();
  }
}

/** Cuts `path` to its first `bytes` bytes (dropping a torn last line). Throws an OutputError on failure. */
export async function cutCsvTail(path: string, bytes: number): Promise<void> {
  try {
    await truncate(path, bytes);
  } catch (error) {
    throw toOutputError(path, error);
  }
}

function stripLineEnd(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
