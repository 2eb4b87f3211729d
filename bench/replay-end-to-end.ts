/**
 * `obi replay --sample event` on a diff recording as a user runs it, up to the rows: readRecording (the
 * file, its line reader, JSON.parse, the Binance parsers) → sampleDiffs (one sample per diff) →
 * computeRows (every feature column, the CLI's default horizons and predictor). Its limit is measured on
 * the same file: the same line reader and JSON.parse, nothing else. Runs as its own process and prints
 * one JSON line (EndToEndFigures).
 *
 * Usage: node --expose-gc --import tsx bench/replay-end-to-end.ts --path FILE [--rows 200000]
 */
import { parseArgs } from 'node:util';
import type { BookSample } from '../src/core/book-sample.js';
import type { Trade } from '../src/events.js';
import { openInputStream } from '../src/io/input-stream.js';
import { readLines } from '../src/io/line-reader.js';
import { readRecording } from '../src/io/replay.js';
import { CLI_DEFAULT_HORIZONS_MS, resolveFeatureOptions, viewDepth } from '../src/options.js';
import { computeRows } from '../src/pipeline/compute-rows.js';
import { sampleDiffs } from '../src/pipeline/diff-sampler.js';

export interface EndToEndFigures {
  /** Lines the replay consumed (header, snapshots, diffs). */
  readonly lines: number;
  readonly rows: number;
  /** Lines per CPU-second through to rows. */
  readonly rate: number;
  readonly wallRate: number;
  /** Lines per CPU-second of reading and JSON.parse alone, over the same lines. */
  readonly jsonRate: number;
  readonly columns: number;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Replays the first `maxRows` rows of the recording at `path`; returns the rates. */
export async function measureReplayEndToEnd(path: string, maxRows: number): Promise<EndToEndFigures> {
  const features = resolveFeatureOptions({ intervalSec: 0.1, horizonsMs: CLI_DEFAULT_HORIZONS_MS });
  const recording = readRecording(path);
  const samples = sampleDiffs(recording, { sample: 'event', intervalMs: 100, depth: viewDepth(features) });
  const rows = computeRows(samples as AsyncIterable<BookSample | Trade>, features);
  (globalThis as { gc?: () => void }).gc?.();
  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  let count = 0;
  let columns = 0;
  for await (const row of rows) {
    if (count === 0) columns = Object.keys(row).length;
    if (++count >= maxRows) break;
  }
  const cpu = cpuMs(process.cpuUsage(cpu0));
  const wall = performance.now() - wall0;
  const lines = recording.stats.lines;

  (globalThis as { gc?: () => void }).gc?.();
  cpu0 = process.cpuUsage();
  wall0 = performance.now();
  const { stream } = await openInputStream(path);
  let read = 0;
  let touched = 0;
  try {
    for await (const text of readLines(stream)) {
      if (text !== null && (JSON.parse(text) as { k?: unknown }).k === 'ws') touched++;
      if (++read >= lines) break;
    }
  } finally {
    stream.destroy();
  }
  const jsonCpu = cpuMs(process.cpuUsage(cpu0));
  if (touched === 0) throw new Error(`${path}: no websocket lines read`);
  return {
    lines,
    rows: count,
    rate: (lines * 1000) / cpu,
    wallRate: (lines * 1000) / wall,
    jsonRate: (read * 1000) / jsonCpu,
    columns,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { path: { type: 'string' }, rows: { type: 'string', default: '200000' } },
  });
  const figures = await measureReplayEndToEnd(values.path ?? '', Number(values.rows));
  process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();
