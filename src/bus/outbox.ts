/**
 * The publisher's outage buffer: a bounded, append-only file of messages not yet acknowledged by the bus,
 * read back in the order written. It survives the process, so a collector killed during an outage sends
 * what it buffered when it starts again with the same directory.
 *
 * Layout of the directory:
 * - `outbox.log`: one message per line, `subject TAB id TAB body LF` (bodies are JSON: no raw LF or TAB);
 * - `outbox.pos`: byte offset up to which messages are acknowledged (written atomically by rename);
 * - `outbox.lock`: the owning process id, so two publishers never share one outbox.
 * A line cut short by a crash (no LF) is dropped when the outbox is opened: that message never reached
 * the outbox, so its append had not returned either.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError, OutputError } from '../errors.js';
import { describeFsError, fsErrorCode } from '../io/fs-error.js';
import { OutboxFullError } from './outbox-full-error.js';

/** One buffered message. */
export interface OutboxMessage {
  readonly subject: string;
  readonly id: string;
  /** UTF-8 body without LF bytes. */
  readonly data: Uint8Array;
}

/** A message read back, with the offset just past its line (what to commit once it is acknowledged). */
export interface OutboxEntry extends OutboxMessage {
  readonly end: number;
}

/** Options of Outbox.open. */
export interface OutboxOptions {
  /**
   * Most bytes waiting (appended, not yet committed); an append past it throws OutboxFullError.
   * @default 1 GiB
   */
  readonly maxBytes?: number;
  /**
   * Once this many committed bytes precede the waiting ones (and they are at least half the file), the
   * file is rewritten without them, so a drain that never quite catches up keeps the file bounded.
   * @default 64 MiB
   */
  readonly compactBytes?: number;
}

export const DEFAULT_OUTBOX_MAX_BYTES = 1024 ** 3;
const DEFAULT_COMPACT_BYTES = 64 * 1024 ** 2;
const READ_CHUNK_BYTES = 1024 * 1024;
const LF = 0x0a;
const TAB = 0x09;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return fsErrorCode(error) === 'EPERM';
  }
}

export class Outbox {
  private fd: number;
  private size: number;
  private committed: number;
  private readOffset: number;
  private closed = false;

  private constructor(
    /** The outbox directory. */
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly compactBytes: number,
  ) {
    this.fd = -1;
    this.size = 0;
    this.committed = 0;
    this.readOffset = 0;
  }

  /**
   * Opens (creating when needed) the outbox in `dir` and locks it for this process. Throws ConfigError when
   * another live process holds it, OutputError when the directory cannot be used.
   */
  static open(dir: string, options: OutboxOptions = {}): Outbox {
    const outbox = new Outbox(
      dir,
      options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES,
      options.compactBytes ?? DEFAULT_COMPACT_BYTES,
    );
    outbox.lock();
    try {
      outbox.fd = openSync(outbox.logPath, 'a+');
      outbox.size = fstatSync(outbox.fd).size;
      outbox.dropTornTail();
      outbox.committed = outbox.readCommitted();
      outbox.readOffset = outbox.committed;
      if (outbox.committed >= outbox.size) outbox.reset();
    } catch (error) {
      outbox.close();
      throw error instanceof OutputError ? error : outbox.fsError(error);
    }
    return outbox;
  }

  private get logPath(): string {
    return join(this.dir, 'outbox.log');
  }

  private get posPath(): string {
    return join(this.dir, 'outbox.pos');
  }

  private get lockPath(): string {
    return join(this.dir, 'outbox.lock');
  }

  private fsError(error: unknown): OutputError {
    return new OutputError(`bus outbox ${this.dir}: ${describeFsError(error)}`, this.dir, { cause: error });
  }

  private lock(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      throw this.fsError(error);
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockPath, String(process.pid), { flag: 'wx' });
        return;
      } catch (error) {
        if (fsErrorCode(error) !== 'EEXIST') throw this.fsError(error);
      }
      const owner = Number(readFileSync(this.lockPath, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new ConfigError(
          `bus outbox ${this.dir} is in use by process ${owner}; give each publisher its own outbox directory`,
          'outbox',
        );
      }
      // A lock left by a process that is gone (or by us): take it over.
      rmSync(this.lockPath, { force: true });
    }
    throw new ConfigError(`bus outbox ${this.dir}: could not take its lock`, 'outbox');
  }

  private dropTornTail(): void {
    if (this.size === 0) return;
    const probe = Buffer.alloc(Math.min(this.size, READ_CHUNK_BYTES));
    let end = this.size;
    // Find the last LF; everything after it is a torn append.
    while (end > 0) {
      const start = Math.max(0, end - probe.length);
      const n = readSync(this.fd, probe, 0, end - start, start);
      const at = probe.subarray(0, n).lastIndexOf(LF);
      if (at >= 0) {
        end = start + at + 1;
        break;
      }
      end = start;
    }
    if (end !== this.size) {
      ftruncateSync(this.fd, end);
      this.size = end;
    }
  }

  private readCommitted(): number {
    if (!existsSync(this.posPath)) return 0;
    const n = Number(readFileSync(this.posPath, 'utf8').trim());
    // An unreadable position replays from the start: the stream's de-duplication drops the repeats.
    return Number.isSafeInteger(n) && n >= 0 && n <= this.size ? n : 0;
  }

  /** Bytes appended and not yet committed. */
  get pendingBytes(): number {
    return this.size - this.committed;
  }

  /** True when every appended message is committed. */
  get isEmpty(): boolean {
    return this.size === this.committed;
  }

  /** True when everything appended has been read (committed or not). */
  get readAll(): boolean {
    return this.readOffset >= this.size;
  }

  /**
   * Appends messages after everything already in the outbox. Throws OutboxFullError (appending none of
   * them) when they would take the waiting bytes past the limit.
   */
  append(messages: readonly OutboxMessage[]): void {
    this.checkOpen();
    const parts: Uint8Array[] = [];
    let bytes = 0;
    for (const m of messages) {
      if (/[\t\n]/.test(m.subject) || /[\t\n]/.test(m.id) || m.data.includes(LF)) {
        throw new ConfigError(
          `outbox message ${m.id}: subject, id and body must not contain TAB/LF`,
          'outbox',
        );
      }
      const head = encoder.encode(`${m.subject}\t${m.id}\t`);
      parts.push(head, m.data, Uint8Array.of(LF));
      bytes += head.length + m.data.length + 1;
    }
    if (bytes === 0) return;
    if (this.pendingBytes + bytes > this.maxBytes) {
      throw new OutboxFullError(this.dir, this.pendingBytes, this.maxBytes);
    }
    const buf = Buffer.concat(parts, bytes);
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (error) {
      // A partial line is dropped at the next open; the size we track stays at the last whole line.
      throw this.fsError(error);
    }
    this.size += bytes;
  }

  /** Returns up to `max` messages after the last one read, in append order. */
  read(max: number): OutboxEntry[] {
    this.checkOpen();
    const out: OutboxEntry[] = [];
    let chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, Math.max(1, this.size - this.readOffset)));
    while (out.length < max && this.readOffset < this.size) {
      const n = readSync(
        this.fd,
        chunk,
        0,
        Math.min(chunk.length, this.size - this.readOffset),
        this.readOffset,
      );
      let lineStart = 0;
      let progressed = false;
      while (out.length < max) {
        const lf = chunk.subarray(lineStart, n).indexOf(LF);
        if (lf < 0) break;
        const line = chunk.subarray(lineStart, lineStart + lf);
        const t1 = line.indexOf(TAB);
        const t2 = t1 < 0 ? -1 : line.indexOf(TAB, t1 + 1);
        if (t2 < 0) {
          throw new OutputError(`bus outbox ${this.dir}: corrupt line at byte ${this.readOffset}`, this.dir);
        }
        lineStart += lf + 1;
        this.readOffset += lf + 1;
        progressed = true;
        out.push({
          subject: decoder.decode(line.subarray(0, t1)),
          id: decoder.decode(line.subarray(t1 + 1, t2)),
          data: new Uint8Array(line.subarray(t2 + 1)),
          end: this.readOffset,
        });
      }
      // A line longer than the chunk: read it with a bigger buffer.
      if (!progressed && out.length < max) chunk = Buffer.alloc(chunk.length * 2);
    }
    return out;
  }

  /** Marks everything before byte `offset` acknowledged; empties the files once nothing is waiting. */
  commit(offset: number): void {
    this.checkOpen();
    if (offset <= this.committed) return;
    this.committed = Math.min(offset, this.size);
    if (this.committed >= this.size) {
      this.reset();
      return;
    }
    if (this.committed >= this.compactBytes && this.committed * 2 >= this.size) {
      this.compact();
      return;
    }
    try {
      const temp = `${this.posPath}.tmp`;
      writeFileSync(temp, String(this.committed));
      renameSync(temp, this.posPath);
    } catch (error) {
      throw this.fsError(error);
    }
  }

  /** Moves the read cursor back to the first uncommitted message (after a failed send). */
  rewind(): void {
    this.readOffset = this.committed;
  }

  private reset(): void {
    try {
      ftruncateSync(this.fd, 0);
      rmSync(this.posPath, { force: true });
    } catch (error) {
      throw this.fsError(error);
    }
    this.size = 0;
    this.committed = 0;
    this.readOffset = 0;
  }

  private compact(): void {
    const keep = Buffer.alloc(this.size - this.committed);
    let off = 0;
    while (off < keep.length) {
      off += readSync(this.fd, keep, off, keep.length - off, this.committed + off);
    }
    const temp = `${this.logPath}.tmp`;
    try {
      writeFileSync(temp, keep);
      renameSync(temp, this.logPath);
      rmSync(this.posPath, { force: true });
      closeSync(this.fd);
      this.fd = openSync(this.logPath, 'a+');
    } catch (error) {
      throw this.fsError(error);
    }
    this.readOffset = Math.max(0, this.readOffset - this.committed);
    this.size = keep.length;
    this.committed = 0;
  }

  private checkOpen(): void {
    if (this.closed) throw new OutputError(`bus outbox ${this.dir} is closed`, this.dir);
  }

  /** Closes the file and releases the lock; what is waiting stays for the next open. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd >= 0) closeSync(this.fd);
    try {
      if (readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) rmSync(this.lockPath);
    } catch {
      // The lock is already gone: nothing to release.
    }
  }
}
