/**
 * `obi plan`: how many collectors (one IP each) a symbol set needs within Binance's limits, which symbols
 * each takes, and the command line of each collector and of the consumer. Arithmetic only: nothing is
 * fetched.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { BinanceExchange, BinanceMarket } from '../exchanges/binance/endpoints.js';
import { DEFAULT_SNAPSHOT_LIMIT } from '../exchanges/binance/ws-depth-stream.js';
import { ConfigError } from '../errors.js';
import { planLines } from '../plan/plan-text.js';
import { planShards, type CollectMode } from '../plan/shard-plan.js';
import { parsePath, parsePositiveInt, parsePositiveNumber, parseSymbolList } from './flags.js';

type PlanFlags = {
  symbols?: string[];
  symbolsFile?: string;
  symbolCount?: number;
  collectors?: number;
  mode: CollectMode;
  exchange: BinanceExchange;
  market: BinanceMarket;
  interval: number;
  snapshotLimit: number;
  depthLimit: number;
  levels: number;
  trades?: boolean;
  maxSyncMinutes: number;
  resyncsPerHour: number;
  maxSymbolsPerCollector?: number;
  weightLimit?: number;
  safety: number;
  publish: string;
  sink?: string;
  json?: boolean;
};

/** Returns the symbols of a file (or `-`, standard input): one per line, or comma/space separated. */
export function readSymbolsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read --symbols-file ${path}: ${(error as Error).message}`, 'symbols-file');
  }
  const words = text.split(/[\s,]+/).filter((w) => w !== '');
  if (words.length === 0) throw new ConfigError(`--symbols-file ${path} holds no symbols`, 'symbols-file');
  return parseSymbolList(words.join(','));
}

function symbolsOf(flags: PlanFlags): string[] {
  const given = [flags.symbols, flags.symbolsFile, flags.symbolCount].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new ConfigError(
      'give the symbols once: --symbols A,B,…, --symbols-file FILE or --symbol-count N',
      'symbols',
    );
  }
  if (flags.symbols !== undefined) return flags.symbols;
  if (flags.symbolsFile !== undefined) return readSymbolsFile(flags.symbolsFile);
  const n = flags.symbolCount as number;
  const width = String(n).length;
  return Array.from({ length: n }, (_, i) => `SYMBOL${String(i + 1).padStart(width, '0')}`);
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('split symbols across collectors within Binance limits; print each command line')
    .option('--symbols <list>', 'symbols, comma-separated', parseSymbolList)
    .option(
      '--symbols-file <path>',
      'symbols, one per line or comma-separated ("-" reads standard input)',
      parsePath,
    )
    .option('--symbol-count <n>', 'plan for N placeholder symbols (the arithmetic only)', parsePositiveInt)
    .option('--collectors <n>', 'how many collectors (default: the fewest that fit)', parsePositiveInt)
    .addOption(
      new Option('--mode <mode>', 'how the collectors collect (their --mode)')
        .choices(['ws', 'poll'])
        .default('ws'),
    )
    .addOption(
      new Option('--exchange <name>', 'venue: its weights and limits')
        .choices(['binance', 'binance-us'])
        .default('binance'),
    )
    .addOption(
      new Option('--market <market>', 'spot or USD-M futures').choices(['spot', 'futures']).default('spot'),
    )
    .option('--interval <sec>', 'sampling interval (poll: time between requests)', parsePositiveNumber, 0.1)
    .option(
      '--snapshot-limit <n>',
      'ws: levels of the snapshot that syncs a book',
      parsePositiveInt,
      DEFAULT_SNAPSHOT_LIMIT,
    )
    .option('--depth-limit <n>', 'poll: most levels per request (as obi collect)', parsePositiveInt, 500)
    .option(
      '--levels <n>',
      'poll: levels the features read (a request asks for max(levels, 5))',
      parsePositiveInt,
      20,
    )
    .option('--trades', 'ws: also the aggTrade stream (two streams per symbol)')
    .option(
      '--max-sync-minutes <m>',
      'ws: longest time to sync every book of a collector',
      parsePositiveNumber,
      5,
    )
    .option('--resyncs-per-hour <r>', 'ws: expected resyncs per symbol per hour', parsePositiveNumber, 1)
    .option('--max-symbols-per-collector <n>', 'a cap from the machine (CPU, bandwidth)', parsePositiveInt)
    .option(
      '--weight-limit <n>',
      "the IP's REQUEST_WEIGHT per minute (default: the venue's)",
      parsePositiveInt,
    )
    .option('--safety <fraction>', 'plan at most this fraction of the weight limit', parsePositiveNumber, 0.8)
    .option('--publish <url>', 'the bus in the printed command lines', 'nats://127.0.0.1:4222')
    .option('--sink <url>', "the consumer's output in its printed command line (e.g. postgres://…)")
    .option('--json', 'print the plan as JSON')
    .action((flags: PlanFlags) => {
      const symbols = symbolsOf(flags);
      const plan = planShards({
        exchange: flags.exchange,
        market: flags.market,
        mode: flags.mode,
        symbols,
        ...(flags.collectors !== undefined ? { collectors: flags.collectors } : {}),
        intervalMs: Math.round(flags.interval * 1000 * 1000) / 1000,
        // Poll: the limit `obi collect` requests, min(max(levels, 5), --depth-limit).
        depthLimit:
          flags.mode === 'poll' ? Math.min(Math.max(flags.levels, 5), flags.depthLimit) : flags.snapshotLimit,
        ...(flags.weightLimit !== undefined ? { weightLimitPerMinute: flags.weightLimit } : {}),
        safetyFraction: flags.safety,
        streamsPerSymbol: flags.trades === true ? 2 : 1,
        maxSyncMinutes: flags.maxSyncMinutes,
        resyncsPerSymbolPerHour: flags.resyncsPerHour,
        ...(flags.maxSymbolsPerCollector !== undefined
          ? { maxSymbolsPerCollector: flags.maxSymbolsPerCollector }
          : {}),
      });
      const options = {
        publishUrl: flags.publish,
        ...(flags.sink !== undefined ? { consumerSink: flags.sink } : {}),
      };
      if (flags.json === true) process.stdout.write(JSON.stringify(plan, null, 2) + '\n');
      else process.stdout.write(planLines(plan, options).join('\n') + '\n');
    });
}
