/**
 * Writing obi recordings (docs/recording-format.md) as messages arrive. Lines are batched and written
 * every `flushIntervalMs` (or sooner when a batch grows large); a gzip file is a sequence of complete gzip
 * members, one per batch (RFC 1952 §2.2 allows any number), so a recorder killed at any moment leaves a
 * file that reads to its last flushed batch with standard tools (`zcat`, Python's `gzip`, Node's zlib).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { OutputError } from '../errors.js';
import { fsErrorCode } from './fs-error.js';
import { OutputStream, toOutputError } from './output-stream.js';
import { RECORDING_VERSION, serializeRecordingLine } from './recording-format.js';
import { repairRecordingTail, type RecordingTailRepair } from './recording-tail.js';
import type { RecordingHeader, RecordingLine } from './recording-format.js';

const gzipAsync = promisify(gzipCallback);

/** A path with one of these endings is a single file; any other path is a directory of rotated files. */
const FILE_PATH = /\.(ndjson|jsonl)(\.gz)?$/i;
/** A batch is written early once it holds this many bytes. */
const BATCH_BYTES = 256 * 1024;
/** How many times a rotated file name is bumped by 1 ms when the name is taken. */
const MAX_NAME_ATTEMPTS = 1000;

/** Options of a recording writer. */
export interface RecordingWriterOptions {
  /**
   * Where to write. A path ending in `.ndjson`, `.jsonl` (plain) or `.ndjson.gz`, `.jsonl.gz` (gzip) is one
   * file; any other path is a directory that receives rotated files `rec-<start>.ndjson[.gz]`.
   */
  readonly path: string;
  readonly exchange: string;
  readonly market: 'spot' | 'futures';
  /** Free text stored in the header. @default null */
  readonly note?: string | null;
  /** The run's options, stored in the header. @default {} */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Directory mode: start a new file once the current one holds this many uncompressed bytes. @default 268435456 */
  readonly rotateBytes?: number;
  /** Directory mode: start a new file once line times `t` span this long. @default 3600000 */
  readonly rotateMs?: number;
  /** Directory mode: gzip the rotated files. @default true */
  readonly gzip?: boolean;
  /** Pending lines are written at least this often. @default 1000 */
  readonly flushIntervalMs?: number;
  /** Single-file mode: overwrite an existing file. @default false */
  readonly force?: boolean;
  /**
   * Continue an existing recording (a resumed run): single-file mode cuts a torn last line or gzip member off
   * the file (recording-tail.ts), then appends a new header and the new lines; directory mode adds new
   * rotated files beside the old ones. A missing file is created. Wins over `force`. @default false
   */
  readonly append?: boolean;
  /** Clock for the header's `created_ms` (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** What a writer has written so far. */
export interface RecordingWriterStats {
  /** Message lines accepted (headers not counted). */
  readonly lines: number;
  /** Uncompressed bytes accepted, headers included. */
  readonly bytes: number;
  /** Files created, in order. */
  readonly files: readonly string[];
}

interface OpenFile {
  readonly out: OutputStream;
  readonly gzip: boolean;
}

/** Returns true when `path` names one recording file (`.ndjson`, `.jsonl`, optionally `.gz`), not a directory. */
export function isSingleFileRecording(path: string): boolean {
  return FILE_PATH.test(path);
}

/** Returns `rec-20240808T235415.123Z` style names: sortable by name, readable, from a line time. */
export function rotatedFileName(startMs: number, gzip: boolean): string {
  const stamp = new Date(startMs).toISOString().replace(/[-:]/g, '');
  return `rec-${stamp}.ndjson${gzip ? '.gz' : ''}`;
}

export class RecordingWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: OutputError | null = null;
  private file: OpenFile | null = null;
  private closed = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  // Rotation is decided synchronously in write(), from these:
  private fileBytes = 0;
  private fileStartT: number | null = null;
  private part = 0;
  private lineCount = 0;
  private byteCount = 0;
  private readonly fileList: string[] = [];
  private repair: RecordingTailRepair | null = null;

  private constructor(
    private readonly options: RecordingWriterOptions,
    private readonly header: Omit<RecordingHeader, 'part'>,
    private readonly directory: boolean,
  ) {}

  /**
   * Returns a writer ready to accept lines. Single-file mode creates the file and writes the header now, so
   * an unwritable path or an existing file (without `force`) fails here with an OutputError; directory mode
   * creates the directory now and each rotated file when its first line arrives.
   */
  static async open(options: RecordingWriterOptions): Promise<RecordingWriter> {
    const header: Omit<RecordingHeader, 'part'> = {
      obi_recording: RECORDING_VERSION,
      created_ms: (options.now ?? Date.now)(),
      exchange: options.exchange,
      market: options.market,
      note: options.note ?? null,
      config: options.config ?? {},
    };
    const directory = !FILE_PATH.test(options.path);
    const writer = new RecordingWriter(options, header, directory);
    if (directory) {
      try {
        await mkdir(options.path, { recursive: true });
      } catch (error) {
        throw toOutputError(options.path, error);
      }
    } else {
      if (options.append === true) writer.repair = await repairRecordingTail(options.path);
      const out = await OutputStream.openFile(
        options.path,
        options.append === true ? { append: true } : { force: options.force === true },
      );
      writer.file = { out, gzip: options.path.toLowerCase().endsWith('.gz') };
      writer.fileList.push(options.path);
      writer.push(JSON.stringify(header) + '\n');
      await writer.flush();
    }
    const interval = options.flushIntervalMs ?? 1000;
    writer.timer = setInterval(() => writer.writePending(), interval);
    writer.timer.unref();
    return writer;
  }

  /** Appending to a single file: what was cut off its torn end first (null otherwise, or a new file). */
  get appendRepair(): RecordingTailRepair | null {
    return this.repair;
  }

  /** Counts so far. */
  get stats(): RecordingWriterStats {
    return { lines: this.lineCount, bytes: this.byteCount, files: [...this.fileList] };
  }

  /**
   * Appends one message line. Synchronous and cheap: the line is queued and written with the next batch.
   * Throws the OutputError of an earlier failed write, if any.
   */
  write(line: RecordingLine): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed)
      throw new OutputError(`${this.options.path}: recording is already closed`, this.options.path);
    let text: string;
    try {
      text = serializeRecordingLine(line) + '\n';
    } catch (error) {
      throw new OutputError(
        `${this.options.path}: cannot serialise a ${line.k} line: ${String(error)}`,
        this.options.path,
        {
          cause: error,
        },
      );
    }
    if (this.directory) this.rotateIfDue(line.t, text);
    this.lineCount += 1;
    this.push(text);
    if (this.pendingBytes >= BATCH_BYTES) this.writePending();
  }

  /** Resolves once every line accepted so far is written to the operating system. */
  async flush(): Promise<void> {
    this.writePending();
    await this.chain;
    if (this.failure !== null) throw this.failure;
    await this.file?.out.flush();
  }

  /** Writes what is pending and closes the current file. Idempotent. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (!this.closed) {
      this.closed = true;
      // A directory recording with no message still gets one file (header only), so it reads as empty.
      if (this.directory && this.fileStartT === null) this.startFile(this.header.created_ms);
      this.writePending();
      this.enqueue(() => this.closeFile());
    }
    await this.chain;
    if (this.failure !== null) throw this.failure;
  }

  private push(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.pending.push(text);
    this.pendingBytes += bytes;
    this.fileBytes += bytes;
    this.byteCount += bytes;
  }

  private rotateIfDue(t: number, text: string): void {
    const start = this.fileStartT;
    const rotateBytes = this.options.rotateBytes ?? 256 * 1024 * 1024;
    const rotateMs = this.options.rotateMs ?? 3_600_000;
    const due =
      start === null || this.fileBytes + Buffer.byteLength(text) > rotateBytes || t - start >= rotateMs;
    if (!due) return;
    if (start !== null) {
      this.writePending();
      this.enqueue(() => this.closeFile());
    }
    this.startFile(t);
  }

  /** Directory mode: queues the opening of the next rotated file, named after `t`, and its header. */
  private startFile(t: number): void {
    const part = this.part;
    this.part += 1;
    this.fileStartT = t;
    this.fileBytes = 0;
    const headerText = JSON.stringify({ ...this.header, part }) + '\n';
    this.enqueue(() => this.openRotated(Number.isFinite(t) ? t : this.header.created_ms));
    this.push(headerText);
  }

  private async openRotated(startMs: number): Promise<void> {
    const gzip = this.options.gzip ?? true;
    for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
      const path = join(this.options.path, rotatedFileName(startMs + attempt, gzip));
      try {
        const out = await OutputStream.openFile(path);
        this.file = { out, gzip };
        this.fileList.push(path);
        return;
      } catch (error) {
        const cause = error instanceof OutputError ? error.cause : error;
        if (fsErrorCode(cause) !== 'EEXIST') throw error;
      }
    }
    throw new OutputError(
      `${this.options.path}: no free file name near ${rotatedFileName(startMs, gzip)}`,
      this.options.path,
    );
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.out.close();
  }

  /** Moves the pending lines into the write chain as one batch. */
  private writePending(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.enqueue(async () => {
      const file = this.file;
      if (file === null) throw new OutputError(`${this.options.path}: no open file`, this.options.path);
      await file.out.write(file.gzip ? await gzipAsync(batch) : batch);
    });
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== null) return;
      try {
        await step();
      } catch (error) {
        this.failure ??= toOutputError(this.options.path, error);
      }
    });
  }
}
