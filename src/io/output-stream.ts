/**
 * A byte sink (a file we open, or a stream we are handed such as stdout) with backpressure and typed
 * errors. Every failure becomes an OutputError naming the path; once failed, every later call rejects
 * with that same error, so an ENOSPC seen by a background write is not lost.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { OutputError } from '../errors.js';
import { describeFsError, fsErrorCode } from './fs-error.js';

/** How to open an output file. */
export interface OutputFileOptions {
  /**
   * Overwrite an existing file. Without it, opening an existing path fails with an OutputError.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Append to the file, creating it when missing (resuming a run). Wins over `force`: nothing is truncated.
   * @default false
   */
  readonly append?: boolean;
}

/** Returns the OutputError for `error` raised while writing `path`. */
export function toOutputError(path: string, error: unknown): OutputError {
  if (error instanceof OutputError) return error;
  if (fsErrorCode(error) === 'EEXIST') {
    return new OutputError(`${path} already exists; refusing to overwrite it (use --force)`, path, {
      cause: error,
    });
  }
  return new OutputError(`cannot write ${path}: ${describeFsError(error)}`, path, { cause: error });
}

export class OutputStream {
  private failure: OutputError | null = null;
  private closing: Promise<void> | null = null;
  private drained: Promise<void> | null = null;

  private constructor(
    private readonly stream: Writable,
    /** The file path, or a label such as `<stdout>`. */
    readonly path: string,
    private readonly ownsStream: boolean,
  ) {
    stream.on('error', (error: unknown) => {
      this.failure ??= toOutputError(path, error);
    });
  }

  /**
   * Returns an OutputStream writing a new file at `path` (truncating it only with `force`), or appending to
   * it with `append`.
   */
  static async openFile(path: string, options: OutputFileOptions = {}): Promise<OutputStream> {
    const flags = options.append === true ? 'a' : options.force === true ? 'w' : 'wx';
    let stream: Writable;
    try {
      stream = createWriteStream(path, { flags });
    } catch (error) {
      // An invalid path (a NUL in it) throws here rather than emitting 'error'.
      throw toOutputError(path, error);
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (error: unknown): void => {
        stream.off('ready', onReady);
        reject(toOutputError(path, error));
      };
      const onReady = (): void => {
        stream.off('error', onError);
        resolve();
      };
      stream.once('error', onError);
      stream.once('ready', onReady);
    });
    return new OutputStream(stream, path, true);
  }

  /** Returns an OutputStream over a stream it does not own: `close()` flushes but never ends it (stdout). */
  static fromWritable(stream: Writable, label: string): OutputStream {
    return new OutputStream(stream, label, false);
  }

  /** True once a write failed; later calls reject with `error`. */
  get error(): OutputError | null {
    return this.failure;
  }

  /**
   * Queues `chunk` as one write. Resolves at once while the stream's buffer is below its high-water mark,
   * otherwise when it drains (backpressure).
   */
  write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closing !== null)
      return Promise.reject(new OutputError(`${this.path} is already closed`, this.path));
    if (this.stream.write(chunk)) return Promise.resolve();
    // One shared wait, however many writes are outstanding, so listeners do not pile up.
    this.drained ??= new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        this.drained = null;
        if (this.failure !== null) reject(this.failure);
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
    return this.drained;
  }

  /** Resolves when everything written so far has been handed to the operating system. */
  flush(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.stream.destroyed || this.stream.writableEnded) return Promise.resolve();
    // Writes complete in order, so the callback of an empty write runs after all earlier ones.
    return new Promise<void>((resolve, reject) => {
      this.stream.write('', (error) => {
        if (error !== null && error !== undefined) this.failure ??= toOutputError(this.path, error);
        if (this.failure !== null) reject(this.failure);
        else resolve();
      });
    });
  }

  /** Flushes and, for a file it opened, closes it. Idempotent. Rejects with the first write error, if any. */
  close(): Promise<void> {
    this.closing ??= this.ownsStream ? this.endAndWaitClosed() : this.flush();
    return this.closing;
  }

  private endAndWaitClosed(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        if (this.failure !== null) reject(this.failure);
        else resolve();
      };
      if (this.stream.closed) {
        settle();
        return;
      }
      this.stream.once('close', settle);
      this.stream.end();
    });
  }
}
