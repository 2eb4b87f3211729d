/**
 * `obi consume nats://…`: the other half of `obi collect --publish`. Reads the collectors' rows (or their
 * book events, and computes the rows here) from the bus as a durable consumer and writes them to the usual
 * outputs (CSV, Parquet, NDJSON on stdout, metrics JSON) and/or PostgreSQL, so collection and computation
 * run on different machines and scale apart.
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { consumeBus, defaultDurableName, type BusConsumerStats } from '../bus/bus-consumer.js';
import type { RowEnvelope } from '../bus/bus-envelope.js';
import type { BusKind } from '../bus/bus-subject.js';
import { parseBusUrl } from '../bus/bus-url.js';
import { columnKind, featureColumns } from '../core/row/column-schema.js';
import type { FeatureRow } from '../core/row/feature-row.js';
import { ConfigError, OutputError } from '../errors.js';
import type { MarketEvent } from '../events.js';
import { CsvSink } from '../io/sinks/csv-sink.js';
import { NdjsonSink } from '../io/sinks/ndjson-sink.js';
import { ParquetSink } from '../io/sinks/parquet-sink.js';
import { PostgresSink } from '../io/sinks/postgres-sink.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import { viewDepth, type FeatureOptions } from '../options.js';
import { computeRows } from '../pipeline/compute-rows.js';
import { sampleDiffs } from '../pipeline/diff-sampler.js';
import { runToFiles, type RunResult } from '../pipeline/run-to-files.js';
import { sampleSnapshots } from '../pipeline/snapshot-sampler.js';
import { VERSION } from '../version.js';
import { interruptSignal } from './collect-session.js';
import { addFeatureFlags, featureOptionsFrom, type FeatureFlags } from './common-flags.js';
import {
  parseNonNegativeNumber,
  parsePath,
  parsePositiveInt,
  parsePositiveNumber,
  parseSymbolList,
} from './flags.js';

export const DEFAULT_CONSUME_CSV = 'obi-consume.csv';
export const DEFAULT_CONSUME_JSON = 'obi-consume-metrics.json';

type ConsumeFlags = FeatureFlags & {
  symbols?: string[];
  exchange: string;
  market: 'spot' | 'futures';
  kind: BusKind;
  source: 'ws' | 'poll';
  durable?: string;
  shared?: boolean;
  new?: boolean;
  ackWait: number;
  batch: number;
  idleExit?: number;
  minutes: number;
  sink: string[];
  csv?: string;
  json: string;
  parquet?: string;
  stdout?: 'ndjson' | 'csv';
  force?: boolean;
  quiet?: boolean;
};

const collectList = (value: string, previous: string[]): string[] => [...previous, value];

export function registerConsume(program: Command): void {
  const cmd = program
    .command('consume')
    .argument('<nats-url>', 'the bus, e.g. nats://127.0.0.1:4222 (parameters: see docs/scale-out.md)')
    .description('write rows published by `obi collect --publish` (or compute them from its events)')
    .option('--symbols <list>', 'only these symbols (default: every symbol of the venue)', parseSymbolList)
    .option('--exchange <name>', 'venue of the subjects read', 'binance')
    .addOption(
      new Option('--market <market>', 'spot or USD-M futures').choices(['spot', 'futures']).default('spot'),
    )
    .addOption(
      new Option('--kind <kind>', "rows: the collectors' rows; events: their book events, rows computed here")
        .choices(['rows', 'events'])
        .default('rows'),
    )
    .addOption(
      new Option('--source <mode>', 'events: how the collectors collected (their --mode)')
        .choices(['ws', 'poll'])
        .default('ws'),
    )
    .option(
      '--durable <name>',
      'durable consumer name: the same name resumes where it stopped (default: from kind, venue, symbols)',
    )
    .option('--shared', 'several consumers share this --durable (a work queue): no order across them')
    .option('--new', 'a new durable starts with new messages, not with everything the stream holds')
    .option(
      '--ack-wait <sec>',
      'redeliver a message not acknowledged within this time',
      parsePositiveNumber,
      30,
    )
    .option(
      '--batch <n>',
      'most messages per commit (sinks flushed, then acknowledged)',
      parsePositiveInt,
      500,
    )
    .option('--idle-exit <sec>', 'stop when nothing arrived for this long', parsePositiveNumber)
    .option('--minutes <m>', 'how long to run; 0 = until Ctrl-C', parseNonNegativeNumber, 0)
    .option(
      '--sink <url>',
      'write rows to PostgreSQL: postgres://user@host/db?table=obi_rows (repeatable)',
      collectList,
      [],
    )
    .option(
      '--csv <path>',
      `output CSV path (default ${DEFAULT_CONSUME_CSV}; none with --sink unless given)`,
      parsePath,
    )
    .option('--json <path>', 'output metrics JSON path', parsePath, DEFAULT_CONSUME_JSON)
    .option('--parquet <path>', 'also write the rows as Parquet', parsePath)
    .addOption(
      new Option('--stdout <format>', 'also stream every row to standard output').choices(['ndjson', 'csv']),
    )
    .option('--force', 'overwrite existing output files')
    .option('--quiet', 'print only errors');
  addFeatureFlags(cmd, 1.0);
  cmd.action(async (url: string, flags: ConsumeFlags) => {
    const { signal, dispose } = interruptSignal();
    const signals = [signal, ...(flags.minutes > 0 ? [AbortSignal.timeout(flags.minutes * 60_000)] : [])];
    try {
      await runConsume(url, flags, AbortSignal.any(signals));
    } finally {
      dispose();
    }
  });
}

/** Opens the outputs of a consume run: CSV (unless only --sink), Parquet, stdout, PostgreSQL. */
async function openConsumeSinks(flags: ConsumeFlags, columns: readonly string[]): Promise<RowSink[]> {
  const csv = flags.csv ?? (flags.sink.length === 0 ? DEFAULT_CONSUME_CSV : undefined);
  if (flags.force !== true) {
    for (const path of [csv, flags.json, flags.parquet]) {
      if (path !== undefined && existsSync(path)) {
        throw new OutputError(
          `${path} already exists; pass --force to overwrite it, or choose another path`,
          path,
        );
      }
    }
  }
  const force = flags.force === true;
  const sinks: RowSink[] = [];
  try {
    if (csv !== undefined) sinks.push(await CsvSink.open(csv, columns, { force }));
    if (flags.parquet !== undefined) {
      sinks.push(await ParquetSink.open(flags.parquet, columns, { kindOf: columnKind, force }));
    }
    if (flags.stdout === 'ndjson') sinks.push(NdjsonSink.fromWritable(process.stdout, columns, '<stdout>'));
    else if (flags.stdout === 'csv')
      sinks.push(await CsvSink.fromWritable(process.stdout, columns, '<stdout>'));
    for (const sinkUrl of flags.sink) {
      sinks.push(
        await PostgresSink.open({
          url: sinkUrl,
          columns,
          venue: { exchange: flags.exchange, market: flags.market },
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(sinks.map((s) => s.close()));
    throw error;
  }
  return sinks;
}

/** Rows of a `--kind rows` run: each row with its venue, so PostgreSQL keys rows of several venues apart. */
async function* rowsOf(envelopes: AsyncIterable<RowEnvelope>): AsyncGenerator<FeatureRow> {
  for await (const e of envelopes) {
    yield { ...e.row, exchange: e.exchange, market: e.market } as unknown as FeatureRow;
  }
}

async function runConsume(url: string, flags: ConsumeFlags, signal: AbortSignal): Promise<RunResult> {
  const log = flags.stdout !== undefined ? process.stderr : process.stdout;
  const quiet = flags.quiet === true;
  const target = parseBusUrl(url);
  if (flags.sink.some((s) => !/^postgres(ql)?:\/\//.test(s))) {
    throw new ConfigError('--sink takes a postgres://… URL', 'sink');
  }
  const venue = { exchange: flags.exchange, market: flags.market };
  const features: FeatureOptions = featureOptionsFrom(flags, flags.interval ?? 1.0);
  const durable = flags.durable ?? defaultDurableName(flags.kind, venue, flags.symbols);
  let sinks: RowSink[] = [];
  let stats: BusConsumerStats | null = null;
  const envelopes = consumeBus({
    url: target,
    kind: flags.kind,
    venue,
    ...(flags.symbols !== undefined ? { symbols: flags.symbols } : {}),
    durable,
    deliver: flags.new === true ? 'new' : 'all',
    ackWaitMs: flags.ackWait * 1000,
    ordered: flags.shared !== true,
    batch: flags.batch,
    ...(flags.idleExit !== undefined ? { idleExitMs: flags.idleExit * 1000 } : {}),
    signal,
    // Acknowledge only what the outputs hold: a consumer killed between commits gets it again.
    commit: async () => {
      for (const sink of sinks) await sink.flush();
    },
    onNotice: (message) => {
      if (!quiet) log.write(`[INFO] ${message}\n`);
    },
    onProgress: (s) => {
      stats = s;
    },
  });
  if (!quiet)
    log.write(
      `[OK] consuming ${flags.kind} from ${target.display} stream ${target.stream.name} as durable ${durable}\n`,
    );

  let rows: AsyncIterable<FeatureRow>;
  if (flags.kind === 'rows') {
    // The collectors' column order comes with their rows: take it from the first one.
    const it = (async function* () {
      for await (const e of envelopes) if (e.kind === 'rows') yield e;
    })();
    const first = await it.next();
    const columns = first.done === true ? featureColumns(features) : Object.keys(first.value.row);
    try {
      sinks = await openConsumeSinks(flags, columns);
    } catch (error) {
      await it.return(undefined); // hands the first row back to the bus and disconnects
      throw error;
    }
    rows = rowsOf(
      (async function* () {
        if (first.done !== true) yield first.value;
        yield* it;
      })(),
    );
  } else {
    try {
      sinks = await openConsumeSinks(flags, featureColumns(features));
    } catch (error) {
      await envelopes.return(undefined);
      throw error;
    }
    const events = (async function* (): AsyncGenerator<MarketEvent> {
      for await (const e of envelopes) if (e.kind === 'events') yield e.event;
    })();
    const depth = viewDepth(features);
    const samples =
      flags.source === 'poll'
        ? sampleSnapshots(events, depth)
        : sampleDiffs(events, {
            sample: 'cadence',
            intervalMs: features.intervalSec * 1000,
            depth,
            venue: { exchange: flags.exchange, market: flags.market },
          });
    rows = computeRows(samples, features);
  }
  const result = await runToFiles({
    rows,
    sinks,
    jsonPath: flags.json,
    symbols: flags.symbols ?? [],
    features,
    facts: {
      emaSpan: features.ema,
      levels: features.levels,
      intervalSec: features.intervalSec,
      durationMin: null,
    },
    config: {
      command: 'consume',
      bus: target.display,
      stream: target.stream.name,
      kind: flags.kind,
      durable,
      exchange: flags.exchange,
      market: flags.market,
      symbols: flags.symbols ?? null,
      sinks: flags.sink.map((s) => s.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1@')),
      obi_version: VERSION,
    },
  });
  if (!quiet) {
    const s = stats as BusConsumerStats | null;
    log.write(
      `[OK] ${result.rows} rows from the bus` +
        (s === null
          ? ''
          : ` (${s.received} messages, ${s.duplicates} repeats dropped, ${s.gaps} gaps, ${s.late} late)`) +
        '\n',
    );
    log.write(`[OK] Saved JSON → ${flags.json}\n`);
  }
  return result;
}
