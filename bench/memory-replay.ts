/**
 * The long-run memory check, run as its own process (so that its RSS is only this run's): `hours` of
 * samples at `hz` for `symbols` symbols go through the whole row stage a replay runs, computeRows
 * (features, forward-return labels at the CLI's default horizons, the online predictor) and runToFiles
 * (per-symbol metrics, CSV written to /dev/null). RSS and heap are sampled as rows are written. Prints one
 * JSON line (MemoryReport) on stdout.
 *
 * The samples come from a cheap synthetic book per symbol (a random walk of the mid and of 20 levels of
 * sizes), so that the run measures the row stage, not a simulator.
 *
 * Usage: node --expose-gc --import tsx bench/memory-replay.ts [--hours 24] [--symbols 20] [--hz 10]
 */
import { parseArgs } from 'node:util';
import type { BookSample } from '../src/core/book-sample.js';
import { createDepthView, type DepthView } from '../src/core/book/depth-view.js';
import { featureColumns } from '../src/core/row/column-schema.js';
import { CsvSink } from '../src/io/sinks/csv-sink.js';
import { CLI_DEFAULT_HORIZONS_MS, resolveFeatureOptions, viewDepth } from '../src/options.js';
import { computeRows } from '../src/pipeline/compute-rows.js';
import { runToFiles } from '../src/pipeline/run-to-files.js';

/** One point of the RSS/heap trajectory. */
export interface MemoryPoint {
  readonly rows: number;
  /** Simulated hours since the start. */
  readonly hours: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Typed-array and Buffer memory outside the JS heap (counted in RSS). */
  readonly arrayBuffersMiB: number;
}

/** What the run prints. */
export interface MemoryReport {
  readonly rows: number;
  readonly symbols: number;
  readonly hours: number;
  readonly hz: number;
  /** Wall time of the whole run, metrics included. */
  readonly seconds: number;
  /** Rows per second while rows flowed (from the first row to the last, metrics excluded). */
  readonly rowsPerSecond: number;
  readonly peakRssMiB: number;
  /** RSS and heap (after a full GC) when the warm-up (the first tenth of the run) ended. */
  readonly warmupRssMiB: number;
  readonly warmupHeapMiB: number;
  /** RSS and heap (after a full GC) at the end of the rows, before the metrics are finished. */
  readonly endRssMiB: number;
  readonly endHeapMiB: number;
  /** (peak RSS after warm-up − warm-up RSS) / warm-up RSS. */
  readonly rssGrowth: number;
  readonly trajectory: readonly MemoryPoint[];
}

const MIB = 1024 * 1024;
const START_MS = 1_723_161_600_000;
const TICK = 0.01;

/** A symbol's synthetic book: mid in ticks, sizes per level, an xorshift state. */
interface SynthBook {
  readonly symbol: string;
  readonly view: DepthView;
  readonly base: number;
  midTicks: number;
  seed: number;
  updateId: number;
}

function nextRandom(b: SynthBook): number {
  // xorshift32: deterministic and allocation-free.
  let x = b.seed;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  b.seed = x >>> 0;
  return b.seed / 4294967296;
}

function step(b: SynthBook, depth: number): void {
  const r = nextRandom(b);
  if (r < 0.1) b.midTicks -= 1;
  else if (r > 0.9) b.midTicks += 1;
  const v = b.view;
  for (let i = 0; i < depth; i++) {
    v.bidPrices[i] = (b.base + b.midTicks - 1 - i) * TICK;
    v.askPrices[i] = (b.base + b.midTicks + 1 + i) * TICK;
  }
  // A few sizes change per sample, as a 100 ms diff changes a few levels.
  for (let k = 0; k < 4; k++) {
    const i = Math.floor(nextRandom(b) * depth);
    v.bidQtys[i] = 0.001 + nextRandom(b) * 2;
    v.askQtys[i] = 0.001 + nextRandom(b) * 2;
  }
  v.bidCount = depth;
  v.askCount = depth;
  b.updateId += 1 + Math.floor(nextRandom(b) * 20);
}

async function* samples(
  books: readonly SynthBook[],
  ticks: number,
  intervalMs: number,
  depth: number,
): AsyncGenerator<BookSample> {
  for (let k = 0; k < ticks; k++) {
    const timeMs = START_MS + k * intervalMs;
    for (const b of books) {
      step(b, depth);
      yield {
        symbol: b.symbol,
        timeMs,
        status: 'ok',
        reason: '',
        lastUpdateId: b.updateId,
        exchangeTimeMs: timeMs - 3,
        receiveTimeMs: timeMs - 1,
        requestTimeMs: null,
        view: b.view,
        crossed: false,
        locked: false,
      };
    }
  }
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return process.memoryUsage().heapUsed / MIB;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hours: { type: 'string', default: '24' },
      symbols: { type: 'string', default: '20' },
      hz: { type: 'string', default: '10' },
    },
  });
  const hours = Number(values.hours);
  const symbolCount = Number(values.symbols);
  const hz = Number(values.hz);
  const intervalMs = 1000 / hz;
  const ticks = Math.round(hours * 3600 * hz);
  const total = ticks * symbolCount;
  const features = resolveFeatureOptions({ intervalSec: 1 / hz, horizonsMs: CLI_DEFAULT_HORIZONS_MS });
  const depth = viewDepth(features);
  const books: SynthBook[] = Array.from({ length: symbolCount }, (_, i) => {
    const view = createDepthView(depth);
    view.bidQtys.fill(1);
    view.askQtys.fill(1);
    return {
      symbol: `B${String(i).padStart(4, '0')}USDT`,
      view,
      base: 100_000 + i * 7919,
      midTicks: 0,
      seed: 0x9e3779b9 ^ (i + 1),
      updateId: 10_000_000_000,
    };
  });
  const columns = featureColumns(features);
  const sink = await CsvSink.open('/dev/null', columns, { force: true });
  const sampleEvery = Math.max(1, Math.floor(total / 200));
  const warmupRows = Math.floor(total / 10);
  const trajectory: MemoryPoint[] = [];
  let peakRss = 0;
  let peakAfterWarmup = 0;
  let warmupRss = Number.NaN;
  let warmupHeap = Number.NaN;
  let endRss = Number.NaN;
  let endHeap = Number.NaN;
  const started = performance.now();
  let firstRowMs = Number.NaN;
  let lastRowMs = Number.NaN;
  await runToFiles({
    rows: computeRows(samples(books, ticks, intervalMs, depth), features),
    sinks: [sink],
    jsonPath: null,
    config: { command: 'bench-memory' },
    facts: { emaSpan: features.ema, levels: features.levels, intervalSec: 1 / hz, durationMin: null },
    symbols: books.map((b) => b.symbol),
    features,
    onRow: (_row, written) => {
      if (written === 1) firstRowMs = performance.now();
      if (written === total) lastRowMs = performance.now();
      if (written % sampleEvery !== 0 && written !== warmupRows && written !== total) return;
      if (written === warmupRows) warmupHeap = heapAfterGc();
      if (written === total) endHeap = heapAfterGc();
      const rss = process.memoryUsage.rss() / MIB;
      peakRss = Math.max(peakRss, rss);
      if (written === warmupRows) warmupRss = rss;
      if (written > warmupRows) peakAfterWarmup = Math.max(peakAfterWarmup, rss);
      if (written === total) endRss = rss;
      if (written % sampleEvery === 0) {
        const usage = process.memoryUsage();
        trajectory.push({
          rows: written,
          hours: written / symbolCount / hz / 3600,
          rssMiB: rss,
          heapUsedMiB: usage.heapUsed / MIB,
          arrayBuffersMiB: usage.arrayBuffers / MIB,
        });
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage.rss() / MIB);
  const report: MemoryReport = {
    rows: total,
    symbols: symbolCount,
    hours,
    hz,
    seconds,
    rowsPerSecond: (total - 1) / ((lastRowMs - firstRowMs) / 1000),
    peakRssMiB: peakRss,
    warmupRssMiB: warmupRss,
    warmupHeapMiB: warmupHeap,
    endRssMiB: endRss,
    endHeapMiB: endHeap,
    rssGrowth: (peakAfterWarmup - warmupRss) / warmupRss,
    trajectory,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

await main();
