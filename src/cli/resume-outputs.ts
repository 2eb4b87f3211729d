/**
 * `obi collect --resume`: continuing a run into the same files after it stopped — cleanly, by an error, or
 * killed at any moment (kill -9, a power cut). The rules:
 *
 * - The CSV must have been written with the same columns (the same feature flags): its header must equal the
 *   one these flags produce, or the run is refused with a ConfigError naming the first difference. A CSV that
 *   does not exist yet is started as usual, so a supervisor can always pass `--resume`.
 * - A torn last line (no `\n`: the writer was killed mid-write) is cut off first; every complete line stays.
 * - New rows are appended; a row is written only if its `time_ms` is after the last complete row of its
 *   symbol, so nothing is written twice even if the clock stepped back. Rows the stopped run had computed but
 *   not yet written (held back until their forward-return labels were known, or still in a write buffer)
 *   are not in the CSV: the recording has their data (`obi replay`).
 * - The recording (single file) has a torn last line or gzip member cut off and gets a new header, then the
 *   new messages; a recording directory gets new files beside the old ones.
 * - At the end the metrics JSON (and the report) are rebuilt from the whole CSV, every run's rows included.
 */
import type { FeatureRow } from '../core/row/feature-row.js';
import { ConfigError } from '../errors.js';
import { formatCsvField } from '../io/csv-line.js';
import { cutCsvTail, inspectCsvTail } from '../io/csv-tail.js';
import type { RecordingWriter } from '../io/recording-writer.js';
import type { FeatureRowStream } from '../pipeline/compute-rows.js';
import { runToFiles, type RunResult, type RunToFilesOptions } from '../pipeline/run-to-files.js';
import type { OutputFlags } from './common-flags.js';
import { checkOutputPaths } from './output-setup.js';
import { rebuildMetrics } from './rebuild-metrics.js';

/** Where a resumed run picks up. */
export interface ResumePoint {
  /** False when there was no CSV (or only a torn header) to continue: the run starts the files anew. */
  readonly continuing: boolean;
  /** Per symbol, the `time_ms` of its last complete row in the CSV. */
  readonly lastTimeMs: ReadonlyMap<string, number>;
  /** Bytes of a torn last line cut off the CSV. */
  readonly droppedTornBytes: number;
}

/** Throws a ConfigError for flags `--resume` cannot go with. */
export function checkResumeFlags(flags: OutputFlags): void {
  if (flags.resume !== true) return;
  if (flags.force === true) {
    throw new ConfigError(
      '--resume continues the existing files and --force overwrites them: give one of the two',
      'resume',
    );
  }
  if (flags.parquet !== undefined) {
    throw new ConfigError(
      '--resume cannot continue a Parquet file (it is complete once written); drop --parquet, or write a ' +
        'new Parquet file from a separate run',
      'resume',
    );
  }
}

/**
 * Checks that the CSV at `flags.csv` can be continued with `columns`, cuts a torn last line off it, and
 * returns where the run resumes. Throws a ConfigError when the CSV was written with other columns.
 */
export async function prepareResume(
  flags: OutputFlags,
  columns: readonly string[],
  symbols: readonly string[],
): Promise<ResumePoint> {
  const path = flags.csv;
  const tail = await inspectCsvTail(path, { symbols });
  const expectedHeader = columns.map(formatCsvField).join(',');
  if (tail === null || tail.size === 0)
    return { continuing: false, lastTimeMs: new Map(), droppedTornBytes: 0 };
  if (tail.header === null) {
    // Killed while writing the header: start again if what is there is the beginning of ours.
    if (expectedHeader.startsWith(tail.headerText)) {
      await cutCsvTail(path, 0);
      return { continuing: false, lastTimeMs: new Map(), droppedTornBytes: tail.size };
    }
    throw new ConfigError(
      `cannot resume ${path}: it does not start with a CSV header line, so it is not a CSV obi wrote; ` +
        'choose another --csv',
      'resume',
    );
  }
  const difference = firstDifference(tail.header, columns);
  if (difference !== null) {
    throw new ConfigError(
      `cannot resume ${path}: it was written with other columns (${difference}); resume with the flags of ` +
        'the run that wrote it (--obi-levels, --ofi-levels, --horizons and --trades decide the columns), ' +
        'or write to a new --csv',
      'resume',
    );
  }
  if (tail.tornBytes > 0) await cutCsvTail(path, tail.completeBytes);
  return { continuing: true, lastTimeMs: tail.lastTimeMs, droppedTornBytes: tail.tornBytes };
}

/** Returns how two headers first differ, in words, or null when they are equal. */
function firstDifference(found: readonly string[], wanted: readonly string[]): string | null {
  const n = Math.max(found.length, wanted.length);
  const list = (columns: readonly string[]): string =>
    columns.length > 4 ? `${columns.slice(0, 4).join(', ')}, …` : columns.join(', ');
  for (let i = 0; i < n; i++) {
    const a = found[i];
    const b = wanted[i];
    if (a === b) continue;
    if (a === undefined) return `these flags add ${list(wanted.slice(i))}`;
    if (b === undefined) return `the file also has ${list(found.slice(i))}`;
    return `column ${i + 1} is "${a}" in the file, "${b}" with these flags`;
  }
  return null;
}

/** Counts rows `afterResumePoint` held back. */
export interface ResumeFilterStats {
  dropped: number;
}

/** Returns the rows that come after the resume point: per symbol, `time_ms` after its last row in the CSV. */
export async function* afterResumePoint(
  rows: AsyncIterable<FeatureRow>,
  point: ResumePoint,
  stats: ResumeFilterStats,
): AsyncGenerator<FeatureRow> {
  for await (const row of rows) {
    const last = point.lastTimeMs.get(row.symbol);
    if (last !== undefined && !(row.time_ms > last)) {
      stats.dropped++;
      continue;
    }
    yield row;
  }
}

/**
 * Checks a live run's outputs before anything is opened (flags, paths, and with `--resume` the CSV to
 * continue, whose torn last line is cut off). Returns the resume point, or null without `--resume`.
 */
export async function prepareCollectOutputs(
  flags: OutputFlags,
  record: string | null,
  columns: readonly string[],
  symbols: readonly string[],
  log: NodeJS.WriteStream,
): Promise<ResumePoint | null> {
  checkResumeFlags(flags);
  await checkOutputPaths(flags, { record, canResume: true });
  if (flags.resume !== true) return null;
  const point = await prepareResume(flags, columns, symbols);
  if (flags.quiet !== true) {
    if (point.droppedTornBytes > 0) {
      log.write(
        `[WARN] ${flags.csv}: cut off a torn last line (${point.droppedTornBytes} bytes): the run writing it ` +
          'was killed mid-write\n',
      );
    }
    if (point.continuing) log.write(`[OK] resuming ${flags.csv} after its last row\n`);
  }
  return point;
}

/** Says what was cut off the end of a recording that a resumed run appends to. */
export function reportRecordingRepair(
  recorder: RecordingWriter | null,
  log: NodeJS.WriteStream,
  quiet: boolean,
): void {
  const repair = recorder?.appendRepair ?? null;
  if (quiet || repair === null || repair.droppedBytes === 0) return;
  log.write(
    `[WARN] ${recorder?.stats.files[0] ?? 'recording'}: cut off a torn last ${repair.gzip ? 'gzip member' : 'line'} ` +
      `(${repair.droppedBytes} bytes): the run writing it was killed mid-write\n`,
  );
}

/**
 * runToFiles for a run that may continue an earlier one: without a resume point (or with nothing to continue)
 * exactly runToFiles; otherwise the rows after the resume point are appended, and the metrics JSON is rebuilt
 * from the whole CSV at the end (also when the run ends by an error, which is then rethrown).
 */
export async function runToFilesResuming(
  resume: ResumePoint | null,
  csvPath: string,
  o: RunToFilesOptions,
): Promise<RunResult> {
  if (resume === null || !resume.continuing) return runToFiles(o);
  const features = o.features ?? (o.rows as Partial<FeatureRowStream>).features;
  if (features === undefined) throw new ConfigError('a resumed run needs its feature options', 'resume');
  const held = { dropped: 0 };
  let failure: { error: unknown } | undefined;
  try {
    await runToFiles({ ...o, rows: afterResumePoint(o.rows, resume, held), jsonPath: null, features });
  } catch (error) {
    failure = { error };
  }
  const rebuilt = await rebuildMetrics({
    csvPath,
    jsonPath: o.jsonPath,
    features,
    // The runs together span more than this run's --minutes: report the rows' own span.
    facts: { ...o.facts, durationMin: null },
    config: { ...o.config, resumed: true },
    symbols: o.symbols,
    ...(failure !== undefined ? { failure } : {}),
  });
  return rebuilt.result;
}
