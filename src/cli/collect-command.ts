/**
 * `obi collect` (also the default command, so the original script's flags work as they are). Websocket
 * mode (local books from the diff-depth stream) is the default; `--mode poll` is the original REST polling.
 */
import { Option, type Command } from 'commander';
import { binanceEndpoints, type BinanceExchange } from '../exchanges/binance/endpoints.js';
import { DEFAULT_SNAPSHOT_LIMIT } from '../exchanges/binance/ws-depth-stream.js';
import { MAX_STREAMS_PER_CONNECTION } from '../exchanges/binance/ws-stream-plan.js';
import type { SampleMode } from '../pipeline/diff-sampler.js';
import { ConfigError } from '../errors.js';
import {
  addFeatureFlags,
  addOutputFlags,
  addDashboardFlag,
  DEFAULT_CSV,
  DEFAULT_JSON,
  featureOptionsFrom,
  type FeatureFlags,
  type OutputFlags,
} from './common-flags.js';
import {
  parseNonNegativeNumber,
  parsePath,
  parsePositiveInt,
  parsePositiveNumber,
  parseSymbolList,
} from './flags.js';
import { interruptSignal, runCollect, type CollectConfig } from './collect-session.js';
import { messageStream } from './output-setup.js';

type CollectFlags = FeatureFlags &
  OutputFlags & {
    symbol: string[];
    interval: number;
    minutes: number;
    depthLimit: number;
    baseUrl?: string;
    timeout: number;
    verifySsl: boolean;
    exchange: BinanceExchange;
    market: 'spot' | 'futures';
    mode: 'ws' | 'poll';
    sample: SampleMode;
    wsUrl?: string;
    snapshotLimit: number;
    maxStreams: number;
    record?: string;
    publish?: string;
    sink: string[];
  };

export function registerCollect(program: Command): void {
  const cmd = program
    .command('collect', { isDefault: true })
    .description('collect live depth from Binance and write features and metrics (the default command)')
    .option(
      '--symbol <symbols>',
      'symbol(s), comma-separated, e.g. BTCUSDT or BTCUSDT,ETHUSDT',
      parseSymbolList,
      ['BTCUSDT'],
    )
    .option('--minutes <m>', 'how long to run; 0 = until Ctrl-C', parseNonNegativeNumber, 10)
    .option('--depth-limit <n>', 'poll: most levels requested from the API per poll', parsePositiveInt, 500)
    .option('--base-url <url>', 'REST base URL (default: the exchange’s market-data host)')
    .option('--timeout <sec>', 'HTTP timeout in seconds', parsePositiveNumber, 8)
    .option('--no-verify-ssl', 'disable TLS certificate verification (not recommended)')
    .addOption(
      new Option('--exchange <name>', 'venue: sets hosts and request weights')
        .choices(['binance', 'binance-us'])
        .default('binance'),
    )
    .addOption(
      new Option('--market <market>', 'spot or USD-M futures').choices(['spot', 'futures']).default('spot'),
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'ws: local books from the diff-depth websocket stream; poll: REST snapshots',
      )
        .choices(['ws', 'poll'])
        .default('ws'),
    )
    .addOption(
      new Option(
        '--sample <how>',
        'ws: a row per symbol every --interval (cadence) or per diff event (event)',
      )
        .choices(['cadence', 'event'])
        .default('cadence'),
    )
    .option('--ws-url <url>', 'ws: websocket base URL (default: the exchange’s market-data stream host)')
    .option(
      '--snapshot-limit <n>',
      'ws: levels of the REST snapshot that (re)syncs a book (500: weight 25 spot, 10 futures)',
      parsePositiveInt,
      DEFAULT_SNAPSHOT_LIMIT,
    )
    .option(
      '--max-streams <n>',
      `ws: streams per websocket connection (at most ${MAX_STREAMS_PER_CONNECTION})`,
      parsePositiveInt,
      MAX_STREAMS_PER_CONNECTION,
    )
    .option(
      '--publish <url>',
      'also publish to NATS JetStream: nats://host:4222[?publish=rows,events] (docs/scale-out.md)',
    )
    .option(
      '--sink <url>',
      'also write rows to PostgreSQL: postgres://user@host/db[?table=obi_rows] (repeatable)',
      (v: string, previous: string[]) => [...previous, v],
      [] as string[],
    )
    .option(
      '--record <path>',
      'also record every message (obi recording format): a directory gets rotating .ndjson.gz files; ' +
        'a path ending in .ndjson or .ndjson.gz is one file',
      parsePath,
    );
  addFeatureFlags(cmd, 1.0);
  addOutputFlags(cmd, { csv: DEFAULT_CSV, json: DEFAULT_JSON });
  cmd.option(
    '--resume',
    'continue the run that wrote --csv (and --record), e.g. after a crash: append after its last row and ' +
      'rebuild the metrics JSON over the whole CSV (starts the files when they do not exist)',
  );
  addDashboardFlag(cmd);
  cmd.action(async (flags: CollectFlags) => {
    const endpoints = binanceEndpoints(flags.exchange, flags.market);
    const cfg: CollectConfig = {
      command: 'collect',
      mode: flags.mode,
      sample: flags.sample,
      wsBaseUrl: normalizeWsUrl(flags.wsUrl ?? endpoints.wsBaseUrl),
      snapshotLimit: flags.snapshotLimit,
      maxStreamsPerConnection: flags.maxStreams,
      symbols: flags.symbol,
      exchange: flags.exchange,
      market: flags.market,
      baseUrl: normalizeBaseUrl(flags.baseUrl ?? endpoints.restBaseUrl),
      intervalSec: flags.interval,
      minutes: flags.minutes,
      depthLimit: flags.depthLimit,
      timeoutSec: flags.timeout,
      verifyTls: flags.verifySsl,
      features: featureOptionsFrom(flags, flags.interval),
      output: flags,
      record: flags.record ?? null,
      publish: flags.publish ?? null,
      sinkUrls: flags.sink,
      validateSymbols: true,
    };
    const { signal, dispose } = interruptSignal();
    try {
      await runCollect(cfg, messageStream(flags), signal);
    } finally {
      dispose();
    }
  });
}

/** Returns the base URL without a trailing slash; rejects what is not an http(s) URL. */
export function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `--base-url must be a URL like https://api.binance.com (got "${value}")`,
      'base-url',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--base-url must use http or https (got "${value}")`, 'base-url');
  }
  refuseCredentials(url, '--base-url');
  return value.replace(/\/+$/, '');
}

/** Returns the websocket base URL without a trailing slash; rejects what is not a ws(s) URL. */
export function normalizeWsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `--ws-url must be a URL like wss://stream.binance.com:9443 (got "${value}")`,
      'ws-url',
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new ConfigError(`--ws-url must use ws or wss (got "${value}")`, 'ws-url');
  }
  refuseCredentials(url, '--ws-url');
  return value.replace(/\/+$/, '');
}

/**
 * Throws a ConfigError for a URL carrying a user name or password: market data needs no credentials, and a
 * URL is printed in messages and stored in the metrics JSON and the recording header.
 */
function refuseCredentials(url: URL, flag: string): void {
  if (url.username === '' && url.password === '') return;
  throw new ConfigError(
    `${flag} must not carry a user name or password (obi reads public market data and needs no ` +
      `credentials; URLs end up in messages and output files): use ${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`,
    flag.slice(2),
  );
}
