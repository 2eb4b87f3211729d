/**
 * Live fan-in, as `obi collect --source ws` runs it: N symbols' `@depth@100ms` streams from the simulated
 * exchange (its own process, bench/simulator-process.ts) over websockets through openWsDepthStream →
 * sampleDiffs (cadence 100 ms) → computeRows (CLI default horizons) → runToFiles (CSV to /dev/null).
 * After every book is in sync, it measures for a fixed window: this process's CPU time over wall time
 * (share of one core; GC helper threads included), event-loop utilisation, and each sample's latency:
 * when the sampler handed it on minus its tick time. Prints one JSON line (FanInReport) on stdout.
 *
 * Usage: node --import tsx bench/live-fan-in.ts --symbols 200 [--seconds 20] [--sync-timeout 120] [--verbose]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { BookSample } from '../src/core/book-sample.js';
import { featureColumns } from '../src/core/row/column-schema.js';
import type { Trade } from '../src/events.js';
import { monotonicEpochMs, openWsDepthStream } from '../src/exchanges/binance/ws-depth-stream.js';
import { CsvSink } from '../src/io/sinks/csv-sink.js';
import { CLI_DEFAULT_HORIZONS_MS, resolveFeatureOptions, viewDepth } from '../src/options.js';
import { computeRows } from '../src/pipeline/compute-rows.js';
import type { DiffBookKeeper } from '../src/pipeline/diff-book-keeper.js';
import { sampleDiffs } from '../src/pipeline/diff-sampler.js';
import { runToFiles } from '../src/pipeline/run-to-files.js';
import { quantileOf } from './quantile-of.js';
import { SIMULATOR_WEIGHT_LIMIT } from './simulator-weight-limit.js';

/** What the run prints. */
export interface FanInReport {
  readonly symbols: number;
  /** Time from start until every book was in sync. */
  readonly syncSeconds: number;
  /** Length of the measured window. */
  readonly seconds: number;
  /** CPU time of this process over wall time in the window (1 = one core busy). */
  readonly cpuShare: number;
  /** Event-loop utilisation in the window (share of time the main thread was busy). */
  readonly eventLoopUtilization: number;
  readonly diffsPerSecond: number;
  readonly samplesPerSecond: number;
  /** Share of the window's samples that were not `ok`. */
  readonly unsyncedShare: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  /** The simulator process's CPU share over its whole life (it runs on the other core). */
  readonly simulatorCpuShare: number | null;
  /** Set when not every symbol synced in time; the figures are then over what did. */
  readonly note: string | null;
}

const INTERVAL_MS = 100;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      symbols: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      'sync-timeout': { type: 'string', default: '120' },
      /** Once a second on stderr: sync progress, keeper, snapshot and stream counters. */
      verbose: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.symbols);
  const windowMs = Number(values.seconds) * 1000;
  const syncTimeoutMs = Number(values['sync-timeout']) * 1000;

  const sim = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./simulator-process.ts', import.meta.url).pathname, '--symbols', String(n)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const simLines = createInterface({ input: sim.stdout })[Symbol.asyncIterator]();
  const first = await simLines.next();
  if (first.done === true) throw new Error('the simulator process exited before listening');
  const { url, wsUrl } = JSON.parse(first.value) as { url: string; wsUrl: string };

  const features = resolveFeatureOptions({
    intervalSec: INTERVAL_MS / 1000,
    horizonsMs: CLI_DEFAULT_HORIZONS_MS,
  });
  const depth = viewDepth(features);
  const started = monotonicEpochMs();
  const tickStartMs = Math.ceil(started / INTERVAL_MS) * INTERVAL_MS;
  const controller = new AbortController();
  const symbols = Array.from({ length: n }, (_, i) => `B${String(i).padStart(4, '0')}USDT`);
  const stream = openWsDepthStream({
    exchange: 'binance',
    market: 'spot',
    symbols,
    restBaseUrl: url,
    wsBaseUrl: wsUrl,
    // exchangeInfo validation is skipped: with ~1000 symbols its one `symbols=[…]` URL is too long for the
    // simulator (HTTP 431). The venue's weight limit it would have read is given instead.
    validateSymbols: false,
    weightLimitPerMinute: SIMULATOR_WEIGHT_LIMIT,
    // More snapshots in flight than the default 4, so that 1000 books sync in seconds, not a minute.
    maxSnapshotsInFlight: 16,
    clockMarks: { startMs: tickStartMs, intervalMs: INTERVAL_MS },
    signal: controller.signal,
  });
  let keeper: DiffBookKeeper | null = null;
  const samples = sampleDiffs(stream, {
    sample: 'cadence',
    intervalMs: INTERVAL_MS,
    tickStartMs,
    symbols,
    depth,
    minKnownDepth: depth,
    venue: { exchange: 'binance', market: 'spot' },
    onSnapshotNeeded: (request) => stream.requestSnapshot(request),
    onStreamBehind: (symbol) => stream.resubscribe(symbol),
    onKeeper: (k) => {
      keeper = k;
    },
  });

  // Measuring window state, switched on by the phase timer below.
  let measuring = false;
  const latencies = new Float64Array(Math.ceil((n * (windowMs + 5000)) / INTERVAL_MS));
  let latencyCount = 0;
  let windowSamples = 0;
  let windowUnsynced = 0;
  const watched = (async function* (): AsyncGenerator<BookSample | Trade> {
    for await (const s of samples) {
      if (measuring && !('type' in s)) {
        windowSamples++;
        if (s.status !== 'ok') windowUnsynced++;
        else if (latencyCount < latencies.length) latencies[latencyCount++] = monotonicEpochMs() - s.timeMs;
      }
      yield s;
    }
  })();

  let syncSeconds = Number.NaN;
  let note: string | null = null;
  let window: {
    cpu: NodeJS.CpuUsage;
    wall: number;
    elu: ReturnType<typeof performance.eventLoopUtilization>;
    diffs: number;
  } | null = null;
  let result: Omit<FanInReport, 'simulatorCpuShare' | 'note' | 'symbols' | 'syncSeconds'> | null = null;
  const phase = setInterval(() => {
    const now = monotonicEpochMs();
    const synced = (keeper as DiffBookKeeper | null)?.stats.synced ?? 0;
    if (values.verbose === true && Math.floor(now / 1000) !== Math.floor((now - 50) / 1000)) {
      const k = keeper as DiffBookKeeper | null;
      process.stderr.write(
        `t=${((now - started) / 1000).toFixed(1)} s synced=${synced} keeper=${JSON.stringify(k?.stats)} ` +
          `stream=${JSON.stringify(stream.stats)}\n`,
      );
    }
    if (window === null) {
      const timedOut = now - started > syncTimeoutMs;
      if (synced < n && !timedOut) return;
      if (synced < n) note = `only ${synced} of ${n} books synced within ${syncTimeoutMs / 1000} s`;
      syncSeconds = (now - started) / 1000;
      measuring = true;
      window = {
        cpu: process.cpuUsage(),
        wall: performance.now(),
        elu: performance.eventLoopUtilization(),
        diffs: stream.stats.diffs,
      };
      return;
    }
    const wallMs = performance.now() - window.wall;
    if (wallMs < windowMs) return;
    measuring = false;
    const cpu = process.cpuUsage(window.cpu);
    const elu = performance.eventLoopUtilization(window.elu);
    const lat = latencies.subarray(0, latencyCount).sort();
    result = {
      seconds: wallMs / 1000,
      cpuShare: (cpu.user + cpu.system) / 1000 / wallMs,
      eventLoopUtilization: elu.utilization,
      diffsPerSecond: ((stream.stats.diffs - window.diffs) * 1000) / wallMs,
      samplesPerSecond: (windowSamples * 1000) / wallMs,
      unsyncedShare: windowSamples > 0 ? windowUnsynced / windowSamples : Number.NaN,
      latencyP50Ms: quantileOf(lat, 0.5),
      latencyP99Ms: quantileOf(lat, 0.99),
      latencyMaxMs: lat.length > 0 ? (lat[lat.length - 1] as number) : Number.NaN,
    };
    clearInterval(phase);
    controller.abort(new Error('bench window over'));
  }, 50);

  const sink = await CsvSink.open('/dev/null', featureColumns(features), { force: true });
  await runToFiles({
    rows: computeRows(watched, features),
    sinks: [sink],
    jsonPath: null,
    config: { command: 'bench-live' },
    facts: {
      emaSpan: features.ema,
      levels: features.levels,
      intervalSec: INTERVAL_MS / 1000,
      durationMin: null,
    },
    symbols,
    features,
  });
  clearInterval(phase);

  sim.kill('SIGTERM');
  let simulatorCpuShare: number | null = null;
  const last = await simLines.next();
  if (last.done !== true) simulatorCpuShare = (JSON.parse(last.value) as { cpuShare: number }).cpuShare;
  if (sim.exitCode === null) await once(sim, 'exit');
  if (result === null) throw new Error('the stream ended before the measuring window did');
  const report: FanInReport = {
    symbols: n,
    syncSeconds,
    ...(result as object),
    simulatorCpuShare,
    note,
  } as FanInReport;
  process.stdout.write(JSON.stringify(report) + '\n');
}

await main();
