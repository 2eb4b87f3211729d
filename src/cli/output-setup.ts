/** Opens the row sinks a command asked for: the CSV file, optionally Parquet, and rows streamed to stdout. */
import { existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CsvSink } from '../io/sinks/csv-sink.js';
import { NdjsonSink } from '../io/sinks/ndjson-sink.js';
import { ParquetSink } from '../io/sinks/parquet-sink.js';
import { columnKind } from '../core/row/column-schema.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import { OutputError } from '../errors.js';
import { describeFsError, fsErrorCode } from '../io/fs-error.js';
import { isSingleFileRecording } from '../io/recording-writer.js';
import type { OutputFlags } from './common-flags.js';

/** Output paths beside the sinks' that a run writes, checked with them before anything is opened. */
export interface OtherOutputs {
  /** `--record`: a single file, or a directory of rotated files. */
  readonly record?: string | null;
  /** The command has `--resume` (collect): the message offers it. */
  readonly canResume?: boolean;
}

/**
 * Throws an OutputError naming the path and what to do when an output cannot be written: it exists (without
 * `--force`, or `--resume` for the files a resumed run continues), its directory is missing, is not a
 * directory, or is not writable. Checked for every output before any is opened, so a refused run creates
 * nothing.
 */
export async function checkOutputPaths(flags: OutputFlags, other: OtherOutputs = {}): Promise<void> {
  const resume = flags.resume === true;
  const record = other.record ?? null;
  const files: { path: string; flag: string; continued: boolean }[] = [
    { path: flags.csv, flag: '--csv', continued: resume },
    { path: flags.json, flag: '--json', continued: resume },
    ...(flags.parquet !== undefined ? [{ path: flags.parquet, flag: '--parquet', continued: false }] : []),
    ...(flags.report !== undefined ? [{ path: flags.report, flag: '--report', continued: resume }] : []),
    ...(record !== null && isSingleFileRecording(record)
      ? [{ path: record, flag: '--record', continued: resume }]
      : []),
  ];
  for (const { path, flag, continued } of files) {
    if (flags.force !== true && !continued && existsSync(path)) {
      throw new OutputError(
        `${path} already exists; ` +
          (other.canResume === true
            ? 'pass --resume to continue the run that wrote it, --force to overwrite it, '
            : 'pass --force to overwrite it, ') +
          `or choose another path with ${flag}`,
        path,
      );
    }
    await checkDirectory(path, dirname(resolve(path)));
  }
  if (record !== null && !isSingleFileRecording(record)) await checkRecordDirectory(record);
}

/** Throws an OutputError unless `directory` exists, is a directory and is writable. */
async function checkDirectory(path: string, directory: string): Promise<void> {
  try {
    if (!(await stat(directory)).isDirectory()) {
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    }
    await access(directory, fsConstants.W_OK);
  } catch (error) {
    const code = fsErrorCode(error);
    const what =
      code === 'ENOENT'
        ? `the directory ${directory} does not exist; create it first (mkdir -p ${directory})`
        : code === 'ENOTDIR'
          ? `${directory} is not a directory (a file is in the way); choose another path`
          : `${directory} is not writable: ${describeFsError(error)}; choose a directory you can write to`;
    throw new OutputError(`cannot write ${path}: ${what}`, path, { cause: error });
  }
}

/** A recording directory is created when missing; whatever exists on its way must be a directory. */
async function checkRecordDirectory(path: string): Promise<void> {
  let probe = resolve(path);
  for (;;) {
    try {
      const info = await stat(probe);
      if (!info.isDirectory()) {
        throw new OutputError(
          `cannot record to ${path}: ${probe} is not a directory; a --record path that is not a directory ` +
            'must end in .ndjson or .ndjson.gz',
          path,
        );
      }
      await checkDirectory(path, probe);
      return;
    } catch (error) {
      // Missing, or under a file (ENOTDIR): look at the parent, which says which.
      const code = fsErrorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = dirname(probe);
      if (parent === probe) return;
      probe = parent;
    }
  }
}

/**
 * Returns the sinks, refusing to overwrite existing outputs unless `force` (checked before any is opened).
 * With `resume`, the CSV is appended to (the caller has checked and repaired it, see resume-outputs.ts).
 */
export async function openSinks(flags: OutputFlags, columns: readonly string[]): Promise<RowSink[]> {
  await checkOutputPaths(flags);
  const sinks: RowSink[] = [
    flags.resume === true
      ? await CsvSink.append(flags.csv, columns)
      : await CsvSink.open(flags.csv, columns, { force: flags.force === true }),
  ];
  if (flags.parquet !== undefined) {
    try {
      sinks.push(
        await ParquetSink.open(flags.parquet, columns, { kindOf: columnKind, force: flags.force === true }),
      );
    } catch (error) {
      await Promise.allSettled(sinks.map((s) => s.close()));
      throw error;
    }
  }
  if (flags.stdout === 'ndjson') sinks.push(NdjsonSink.fromWritable(process.stdout, columns, '<stdout>'));
  else if (flags.stdout === 'csv')
    sinks.push(await CsvSink.fromWritable(process.stdout, columns, '<stdout>'));
  return sinks;
}

/** Where human-readable messages go: stderr when rows stream to stdout, so pipes stay clean. */
export function messageStream(flags: OutputFlags): NodeJS.WriteStream {
  return flags.stdout !== undefined ? process.stderr : process.stdout;
}
