/**
 * Everything a live run (`obi collect`, `obi demo`; poll or websocket) writes to: the row sinks (CSV,
 * Parquet, stdout), the extras (report, dashboard), the scale-out outputs (NATS, PostgreSQL) and the
 * recording. Opened in one order and closed in one order, so both run modes leave the same valid files
 * whether they end, fail or are interrupted.
 */
import type { BookSample } from '../core/book-sample.js';
import { featureColumns } from '../core/row/column-schema.js';
import type { Trade } from '../events.js';
import { RecordingWriter } from '../io/recording-writer.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import type { FeatureOptions } from '../options.js';
import type { RunResult, RunToFilesOptions } from '../pipeline/run-to-files.js';
import { recordedFeatureFlags, type OutputFlags } from './common-flags.js';
import type { EmptyRunOutputs } from './empty-run-outputs.js';
import { openSinks } from './output-setup.js';
import { prepareCollectOutputs, reportRecordingRepair, runToFilesResuming } from './resume-outputs.js';
import { openRunExtras, type RunExtras } from './run-extras.js';
import { openScaleOutOutputs, type ScaleOutOutputs } from './scale-out-outputs.js';
import { summaryLines } from './summary-print.js';

/** What a live run's outputs are opened from (a CollectConfig is one). */
export interface RunOutputsOptions {
  readonly output: OutputFlags;
  /** `--record`: a file or a directory of rotated files; null: no recording. */
  readonly record: string | null;
  readonly symbols: readonly string[];
  readonly exchange: string;
  readonly market: 'spot' | 'futures';
  readonly features: FeatureOptions;
  readonly publish?: string | null;
  readonly sinkUrls?: readonly string[];
}

/** What a live run writes its rows through. */
export interface RunWrite extends Pick<RunToFilesOptions, 'rows' | 'facts' | 'onRow'> {
  /** The progress line, ended before the summary and before anything closing prints. */
  readonly progress: { done(): void };
  /** The run's stop signal: when it fired, the summary says the run was interrupted. */
  readonly signal: AbortSignal;
}

export interface RunOutputs {
  /** The recording, or null without `--record`. */
  readonly recorder: RecordingWriter | null;
  /** Passes events through, publishing them when `--publish …?publish=events` asked for it. */
  tapEvents<T extends { readonly type: string }>(events: AsyncIterable<T>): AsyncIterable<T>;
  /** Passes samples through, showing each book on the dashboard when there is one. */
  tapSamples<T extends BookSample | Trade>(samples: AsyncIterable<T>): AsyncIterable<T>;
  /**
   * Writes the rows to every sink and the metrics JSON (continuing the CSV under `--resume`), prints the
   * summary, then closes the outputs — also when the rows end by an error, which is rethrown. Returns the
   * metrics.
   */
  write(run: RunWrite): Promise<RunResult>;
}

/**
 * Returns a live run's outputs, opened in this order after the paths are checked (and, with `--resume`, the
 * CSV repaired): row sinks, extras, scale-out, recording. `config` is the metrics JSON's; the recording
 * header holds it with the feature flags replay needs. `emptyRun` is told which files the run creates.
 */
export async function openRunOutputs(
  o: RunOutputsOptions,
  config: Readonly<Record<string, unknown>>,
  log: NodeJS.WriteStream,
  emptyRun: EmptyRunOutputs,
): Promise<RunOutputs> {
  const quiet = o.output.quiet === true;
  const columns = featureColumns(o.features);
  const resume = await prepareCollectOutputs(o.output, o.record, columns, o.symbols, log);
  if (resume === null || !resume.continuing) emptyRun.created(o.output, o.record);
  const sinks = await openSinks(o.output, columns);
  // What is open so far, closed newest first when a later output fails to open: an open dashboard server
  // or bus connection would keep the process alive after the error, and sinks would hold their files.
  const opened: Array<() => Promise<void>> = [
    async () => {
      for (const sink of sinks) await sink.close();
    },
  ];
  try {
    const extras = await openRunExtras(o.output, columns, o.features);
    opened.push(() => extras.close());
    sinks.push(...extras.sinks);
    if (extras.dashboardUrl !== null) log.write(`obi: live dashboard at ${extras.dashboardUrl}\n`);
    const venue = { exchange: o.exchange, market: o.market };
    const scaleOut = await openScaleOutOutputs(
      { publish: o.publish ?? null, sinkUrls: o.sinkUrls ?? [], venue, symbols: o.symbols, quiet },
      columns,
      log,
    );
    opened.push(() => scaleOut.close(log));
    sinks.push(...scaleOut.sinks);
    const recorder =
      o.record === null
        ? null
        : await RecordingWriter.open({
            path: o.record,
            ...venue,
            config: { ...config, feature_flags: recordedFeatureFlags(o.features) },
            force: o.output.force === true,
            append: o.output.resume === true,
          });
    return runOutputs(o, config, log, { resume, sinks, extras, scaleOut, recorder });
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/** The outputs openRunOutputs opened, all of them. */
interface OpenedOutputs {
  readonly resume: Awaited<ReturnType<typeof prepareCollectOutputs>>;
  readonly sinks: RowSink[];
  readonly extras: RunExtras;
  readonly scaleOut: ScaleOutOutputs;
  readonly recorder: RecordingWriter | null;
}

function runOutputs(
  o: RunOutputsOptions,
  config: Readonly<Record<string, unknown>>,
  log: NodeJS.WriteStream,
  { resume, sinks, extras, scaleOut, recorder }: OpenedOutputs,
): RunOutputs {
  const quiet = o.output.quiet === true;
  reportRecordingRepair(recorder, log, quiet);
  return {
    recorder,
    tapEvents: (events) => scaleOut.tapEvents(events),
    tapSamples: (samples) => extras.tap(samples),
    async write(run) {
      try {
        const result = await runToFilesResuming(resume, o.output.csv, {
          rows: run.rows,
          sinks,
          jsonPath: o.output.json,
          symbols: o.symbols,
          facts: run.facts,
          config,
          ...(run.onRow !== undefined ? { onRow: run.onRow } : {}),
        });
        run.progress.done();
        if (!quiet) {
          if (run.signal.aborted)
            log.write('[OK] interrupted: finished the current tick and saved everything\n');
          for (const line of summaryLines(result, o.output)) log.write(line + '\n');
          if (recorder !== null) log.write(`[OK] Saved recording → ${o.record}\n`);
        }
        return result;
      } finally {
        run.progress.done();
        await recorder?.close();
        await scaleOut.close(log);
        await finishExtras(extras, log);
      }
    },
  };
}

/** The report is written from the finished files, so it exists after an interrupted or failed run too. */
async function finishExtras(extras: RunExtras, log: NodeJS.WriteStream): Promise<void> {
  try {
    await extras.finish(log);
  } finally {
    await extras.close();
  }
}
