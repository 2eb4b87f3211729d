/**
 * A live run, shared by `obi collect` and `obi demo`: source → (recording tap) → sampler → features →
 * labels → sinks, with Ctrl-C/SIGTERM ending it cleanly (the current tick finishes, files are flushed, the
 * metrics JSON is written, exit 0).
 */
import { computeRows } from '../pipeline/compute-rows.js';
import { runToFiles, type RunResult } from '../pipeline/run-to-files.js';
import { sampleSnapshots } from '../pipeline/snapshot-sampler.js';
import { featureColumns } from '../core/row/column-schema.js';
import { viewDepth, type FeatureOptions } from '../options.js';
import { pollDepth, type PollStats } from '../exchanges/binance/rest-poller.js';
import type { BinanceExchange } from '../exchanges/binance/endpoints.js';
import { RecordingWriter } from '../io/recording-writer.js';
import type { MarketEvent } from '../events.js';
import { VERSION } from '../version.js';
import type { OutputFlags } from './common-flags.js';
import { openSinks } from './output-setup.js';
import { ProgressReporter } from './progress.js';
import { summaryLines } from './summary-print.js';
import { recordPolledEvent } from './poll-recording.js';

export interface CollectConfig {
  readonly command: 'collect' | 'demo';
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
}

/** The `limit` each depth request asks for: the seed's min(max(L, 5), depth_limit), widened to the deepest feature. */
export function requestLimit(cfg: Pick<CollectConfig, 'features' | 'depthLimit'>): number {
  return Math.min(Math.max(viewDepth(cfg.features), 5), cfg.depthLimit);
}

/** The metrics JSON's `config`: the seed's keys with its meaning, then obi's. */
export function configDocument(cfg: CollectConfig): Record<string, unknown> {
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
    mode: 'poll',
    request_limit: requestLimit(cfg),
    obi_levels: cfg.features.obiLevels,
    decay_alpha: cfg.features.decayAlpha,
    ofi_levels: cfg.features.ofiLevels,
    extreme_quantile: cfg.features.extremeQuantile,
    record: cfg.record,
    obi_version: VERSION,
  };
}

/** Runs until the duration ends or `signal` aborts; returns the metrics. Prints progress to `log`. */
export async function runCollect(
  cfg: CollectConfig,
  log: NodeJS.WriteStream,
  signal: AbortSignal,
): Promise<RunResult> {
  const features = cfg.features;
  const columns = featureColumns(features);
  const sinks = await openSinks(cfg.output, columns);
  const recorder =
    cfg.record === null
      ? null
      : await RecordingWriter.open({
          path: cfg.record,
          exchange: cfg.exchange,
          market: cfg.market,
          config: configDocument(cfg),
          force: cfg.output.force === true,
        });
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
  try {
    const result = await runToFiles({
      rows: computeRows(sampleSnapshots(tapped, viewDepth(features)), features),
      sinks,
      jsonPath: cfg.output.json,
      symbols: cfg.symbols,
      facts: {
        emaSpan: features.ema,
        levels: features.levels,
        intervalSec: cfg.intervalSec,
        durationMin: cfg.minutes,
      },
      config: configDocument(cfg),
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
    });
    progress.done();
    if (cfg.output.quiet !== true) {
      if (signal.aborted) log.write('[OK] interrupted: finished the current tick and saved everything\n');
      for (const line of summaryLines(result, cfg.output)) log.write(line + '\n');
      if (recorder !== null) log.write(`[OK] Saved recording → ${cfg.record}\n`);
    }
    return result;
  } finally {
    progress.done();
    await recorder?.close();
  }
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
