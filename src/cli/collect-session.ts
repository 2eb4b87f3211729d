/**
 * A live run, shared by `obi collect` and `obi demo`: source → (recording tap) → sampler → features →
 * labels → sinks, with Ctrl-C/SIGTERM ending it cleanly (the current tick finishes, files are flushed, the
 * metrics JSON is written, exit 0).
 *
 * Two sources: `ws` (the default) keeps a local book per symbol from the diff-depth websocket stream and
 * samples it (diff-sampler.ts); `poll` requests REST depth snapshots at a fixed cadence, as the original
 * script did (rest-poller.ts).
 */
import { computeRows } from '../pipeline/compute-rows.js';
import type { RunResult } from '../pipeline/run-to-files.js';
import { sampleSnapshots } from '../pipeline/snapshot-sampler.js';
import { sampleDiffs, type SampleMode } from '../pipeline/diff-sampler.js';
import type { DiffBookKeeper } from '../pipeline/diff-book-keeper.js';
import {
  monotonicEpochMs,
  openWsDepthStream,
  type WsDepthStream,
} from '../exchanges/binance/ws-depth-stream.js';
import { ConfigError } from '../errors.js';
import type { RunFacts } from '../core/metrics/run-summary.js';
import { viewDepth, type FeatureOptions } from '../options.js';
import { pollDepth, type PollStats } from '../exchanges/binance/rest-poller.js';
import type { BinanceExchange } from '../exchanges/binance/endpoints.js';
import type { MarketEvent, StreamStatus, Trade } from '../events.js';
import type { BookSample } from '../core/book-sample.js';
import { VERSION } from '../version.js';
import type { OutputFlags } from './common-flags.js';
import { ProgressReporter } from './progress.js';
import { scaleOutConfig } from './scale-out-outputs.js';
import { recordPolledEvent } from './poll-recording.js';
import { EmptyRunOutputs } from './empty-run-outputs.js';
import { openRunOutputs } from './run-outputs.js';

export interface CollectConfig {
  readonly command: 'collect' | 'demo';
  /** `ws`: local books from the diff-depth stream; `poll`: REST snapshots at a fixed cadence. */
  readonly mode: 'ws' | 'poll';
  /** ws: one row per symbol per tick (`cadence`) or one per diff event (`event`). */
  readonly sample: SampleMode;
  /** ws: the websocket base URL. */
  readonly wsBaseUrl: string;
  /** ws: the REST snapshot `limit` used to (re)sync a book. */
  readonly snapshotLimit: number;
  /** ws: streams per connection (≤ 1024). */
  readonly maxStreamsPerConnection: number;
  readonly symbols: readonly string[];
  readonly exchange: BinanceExchange;
  readonly market: 'spot' | 'futures';
  readonly baseUrl: string;
  readonly intervalSec: number;
  /** 0 = until interrupted. */
  readonly minutes: number;
  readonly depthLimit: number;
  readonly timeoutSec: number;
  readonly verifyTls: boolean;
  readonly features: FeatureOptions;
  readonly output: OutputFlags;
  readonly record: string | null;
  readonly validateSymbols: boolean;
  /** `--publish nats://…`: rows (and events when asked) to NATS JetStream. */
  readonly publish?: string | null;
  /** `--sink postgres://…` (repeatable). */
  readonly sinkUrls?: readonly string[];
}

/** The `limit` each depth request asks for: the seed's min(max(L, 5), depth_limit), widened to the deepest feature. */
export function requestLimit(cfg: Pick<CollectConfig, 'features' | 'depthLimit'>): number {
  return Math.min(Math.max(viewDepth(cfg.features), 5), cfg.depthLimit);
}

/** When a websocket run's ticks fall: t_k = tickStartMs + k·interval, before tickEndMs (null: until stopped). */
export interface TickGrid {
  readonly tickStartMs: number;
  readonly tickEndMs: number | null;
}

/** The metrics JSON's `config` (also the recording header's): the seed's keys with its meaning, then obi's. */
export function configDocument(cfg: CollectConfig, grid: TickGrid | null = null): Record<string, unknown> {
  const ws =
    cfg.mode === 'ws'
      ? {
          sample: cfg.sample,
          ws_url: cfg.wsBaseUrl,
          snapshot_limit: cfg.snapshotLimit,
          max_streams_per_connection: cfg.maxStreamsPerConnection,
          min_known_depth: viewDepth(cfg.features),
          ...(grid !== null ? { tick_start_ms: grid.tickStartMs, tick_end_ms: grid.tickEndMs } : {}),
        }
      : {};
  return {
    symbol: cfg.symbols[0],
    base_url: cfg.baseUrl,
    levels: cfg.features.levels,
    interval: cfg.intervalSec,
    minutes: cfg.minutes,
    depth_limit: cfg.depthLimit,
    ema: cfg.features.ema,
    out_csv: cfg.output.csv,
    out_json: cfg.output.json,
    timeout: cfg.timeoutSec,
    verify_ssl: cfg.verifyTls,
    command: cfg.command,
    symbols: cfg.symbols,
    exchange: cfg.exchange,
    market: cfg.market,
    mode: cfg.mode,
    ...(cfg.mode === 'poll' ? { request_limit: requestLimit(cfg) } : ws),
    obi_levels: cfg.features.obiLevels,
    decay_alpha: cfg.features.decayAlpha,
    ofi_levels: cfg.features.ofiLevels,
    extreme_quantile: cfg.features.extremeQuantile,
    record: cfg.record,
    ...scaleOutConfig(cfg.publish ?? null, cfg.sinkUrls ?? []),
    obi_version: VERSION,
  };
}

/** Runs until the duration ends or `signal` aborts; returns the metrics. Prints progress to `log`. */
export async function runCollect(
  cfg: CollectConfig,
  log: NodeJS.WriteStream,
  signal: AbortSignal,
): Promise<RunResult> {
  const outputs = new EmptyRunOutputs();
  try {
    return cfg.mode === 'ws'
      ? await runWsCollect(cfg, log, signal, outputs)
      : await runPollCollect(cfg, log, signal, outputs);
  } catch (error) {
    // Failed before its first row: leave nothing that would stop the same command from running again.
    await outputs.removeIfEmpty();
    throw error;
  }
}

async function runPollCollect(
  cfg: CollectConfig,
  log: NodeJS.WriteStream,
  signal: AbortSignal,
  outputs: EmptyRunOutputs,
): Promise<RunResult> {
  const features = cfg.features;
  const run = await openRunOutputs(cfg, configDocument(cfg), log, outputs);
  const recorder = run.recorder;
  const started = Date.now();
  const progress = new ProgressReporter(log, cfg.output.quiet !== true);
  let stats: PollStats | null = null;
  const limit = requestLimit(cfg);
  const poll = pollDepth({
    exchange: cfg.exchange,
    market: cfg.market,
    baseUrl: cfg.baseUrl,
    symbols: cfg.symbols,
    intervalMs: cfg.intervalSec * 1000,
    depthLimit: limit,
    timeoutMs: cfg.timeoutSec * 1000,
    verifyTls: cfg.verifyTls,
    ...(cfg.minutes > 0 ? { durationMs: cfg.minutes * 60_000 } : {}),
    signal,
    validateSymbols: cfg.validateSymbols,
    onProgress: (s) => {
      stats = s;
    },
  });
  const tapped = (async function* (): AsyncGenerator<MarketEvent> {
    for await (const e of poll) {
      if (recorder !== null) recordPolledEvent(recorder, e, limit);
      yield e;
    }
  })();
  return run.write({
    rows: computeRows(run.tapSamples(sampleSnapshots(run.tapEvents(tapped), viewDepth(features))), features),
    facts: runFacts(cfg),
    onRow: (_row, rows) => {
      const s: PollStats | null = stats;
      progress.update({
        elapsedMs: Date.now() - started,
        rows,
        missing: s?.missing ?? 0,
        errors: s?.errors ?? 0,
        lastLatencyMs: s?.lastLatencyMs ?? null,
        usedWeight1m: s?.usedWeight1m ?? null,
      });
    },
    progress,
    signal,
  });
}

/** Shortest cadence interval in websocket mode: the fastest diff-depth stream updates every 100 ms. */
export const MIN_WS_INTERVAL_SEC = 0.1;
/** The websocket progress line is redrawn at most this often. */
const PROGRESS_EVERY_MS = 250;
/** At most this many status lines are printed per STATUS_WINDOW_MS; the rest are counted. */
const STATUS_LINES_PER_WINDOW = 10;
const STATUS_WINDOW_MS = 10_000;

/** Throws ConfigError for a websocket configuration that cannot work. */
export function checkWsConfig(cfg: CollectConfig): void {
  if (cfg.sample === 'cadence' && cfg.intervalSec < MIN_WS_INTERVAL_SEC) {
    throw new ConfigError(
      `--interval ${cfg.intervalSec}: websocket cadence sampling goes down to ${MIN_WS_INTERVAL_SEC} s ` +
        '(the stream updates every 100 ms); use --sample event for a row per update',
      'interval',
    );
  }
  const need = viewDepth(cfg.features);
  if (cfg.snapshotLimit < need) {
    throw new ConfigError(
      `--snapshot-limit ${cfg.snapshotLimit} is below the ${need} levels the features read; ` +
        `use --snapshot-limit ${need} or more`,
      'snapshot-limit',
    );
  }
}

/** Status lines for people: gaps, resyncs, disconnects, staleness; `synced` is summarised. */
class StatusLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private printed = 0;
  suppressed = 0;
  private readonly everSynced = new Set<string>();
  private announced = false;

  constructor(
    private readonly log: NodeJS.WriteStream,
    private readonly enabled: boolean,
    private readonly progress: ProgressReporter,
    private readonly symbols: readonly string[],
    private readonly startedMs: number,
  ) {}

  onStatus(s: StreamStatus): void {
    if (s.status === 'synced') {
      this.everSynced.add(s.symbol);
      if (!this.announced && this.symbols.every((x) => this.everSynced.has(x))) {
        this.announced = true;
        this.line(
          `[OK] ${this.symbols.length} symbol${this.symbols.length === 1 ? '' : 's'} in sync after ` +
            `${((Date.now() - this.startedMs) / 1000).toFixed(1)} s`,
        );
      }
      return;
    }
    if (s.status === 'connected') return;
    const now = Date.now();
    if (now - this.windowStart >= STATUS_WINDOW_MS) {
      this.windowStart = now;
      this.printed = 0;
    }
    if (this.printed >= STATUS_LINES_PER_WINDOW) {
      this.suppressed++;
      return;
    }
    this.printed++;
    this.line(
      `[${s.status === 'disconnected' || s.status === 'gap' ? 'WARN' : 'INFO'}] ${s.status}: ${s.detail}`,
    );
  }

  private line(text: string): void {
    if (!this.enabled) return;
    this.progress.done();
    this.log.write(text + '\n');
  }
}

async function runWsCollect(
  cfg: CollectConfig,
  log: NodeJS.WriteStream,
  signal: AbortSignal,
  outputs: EmptyRunOutputs,
): Promise<RunResult> {
  checkWsConfig(cfg);
  const features = cfg.features;
  const depth = viewDepth(features);
  const intervalMs = cfg.intervalSec * 1000;
  const startedMs = monotonicEpochMs();
  const grid: TickGrid = {
    // Ticks on multiples of the interval (epoch-aligned), so rows of different runs line up.
    tickStartMs: Math.ceil(startedMs / intervalMs) * intervalMs,
    tickEndMs: cfg.minutes > 0 ? startedMs + cfg.minutes * 60_000 : null,
  };
  const run = await openRunOutputs(cfg, configDocument(cfg, grid), log, outputs);
  const recorder = run.recorder;
  const started = Date.now();
  const quiet = cfg.output.quiet === true;
  const progress = new ProgressReporter(log, !quiet);
  const statusLog = new StatusLog(log, !quiet, progress, cfg.symbols, started);
  let keeper: DiffBookKeeper | null = null;
  const stream: WsDepthStream = openWsDepthStream({
    exchange: cfg.exchange,
    market: cfg.market,
    symbols: cfg.symbols,
    restBaseUrl: cfg.baseUrl,
    wsBaseUrl: cfg.wsBaseUrl,
    snapshotLimit: cfg.snapshotLimit,
    maxStreamsPerConnection: cfg.maxStreamsPerConnection,
    trades: features.trades,
    timeoutMs: cfg.timeoutSec * 1000,
    verifyTls: cfg.verifyTls,
    validateSymbols: cfg.validateSymbols,
    clockMarks: { startMs: grid.tickStartMs, intervalMs },
    ...(grid.tickEndMs !== null ? { stopAtMs: grid.tickEndMs } : {}),
    signal,
    ...(recorder !== null ? { record: (line) => recorder.write(line) } : {}),
    onStatus: (s) => statusLog.onStatus(s),
  });
  // Events are published as they pass; snapshot requests and resubscriptions still go to the stream itself.
  const samples = sampleDiffs(run.tapEvents(stream), {
    sample: cfg.sample,
    intervalMs,
    tickStartMs: grid.tickStartMs,
    ...(grid.tickEndMs !== null ? { tickEndMs: grid.tickEndMs } : {}),
    symbols: cfg.symbols,
    depth,
    minKnownDepth: depth,
    venue: { exchange: cfg.exchange, market: cfg.market },
    onSnapshotNeeded: (request) => stream.requestSnapshot(request),
    onStreamBehind: (symbol) => stream.resubscribe(symbol),
    onStatus: (s) => statusLog.onStatus(s),
    onKeeper: (k) => {
      keeper = k;
    },
  });
  // Progress follows the samples, not the rows: rows wait for their forward labels before they are written.
  let samplesSeen = 0;
  let unsynced = 0;
  let rowsWritten = 0;
  let lastReportMs = Number.NEGATIVE_INFINITY;
  const report = (): void => {
    const st = stream.stats;
    const k: DiffBookKeeper | null = keeper;
    progress.update({
      elapsedMs: Date.now() - started,
      rows: rowsWritten,
      missing: unsynced,
      errors: st.malformed + st.snapshots.failed,
      lastLatencyMs: st.lastLagMs,
      usedWeight1m: st.snapshots.usedWeight1m,
      note:
        `samples=${samplesSeen} synced=${k?.stats.synced ?? 0}/${cfg.symbols.length} gaps=${k?.stats.gaps ?? 0} ` +
        `conns=${st.connections} reconnects=${st.reconnects}` +
        (statusLog.suppressed > 0 ? ` (+${statusLog.suppressed} status lines not shown)` : ''),
    });
  };
  const watched = (async function* (): AsyncGenerator<BookSample | Trade> {
    for await (const s of samples) {
      if (!('type' in s)) {
        samplesSeen++;
        if (s.status !== 'ok') unsynced++;
        const now = Date.now();
        if (now - lastReportMs >= PROGRESS_EVERY_MS) {
          lastReportMs = now;
          report();
        }
      }
      yield s;
    }
  })();
  return run.write({
    rows: computeRows(run.tapSamples(watched), features),
    facts: runFacts(cfg),
    onRow: (_row, rows) => {
      rowsWritten = rows;
    },
    progress,
    signal,
  });
}

/** The metrics' run facts: the seed's EMA span, levels, interval and duration. */
function runFacts(cfg: CollectConfig): RunFacts {
  return {
    emaSpan: cfg.features.ema,
    levels: cfg.features.levels,
    intervalSec: cfg.intervalSec,
    durationMin: cfg.minutes,
  };
}

/** Returns an AbortSignal fired by the first SIGINT/SIGTERM; a second one exits at once. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
