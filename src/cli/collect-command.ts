/** `obi collect` (also the default command, so the original script's flags work as they are). */
import { Option, type Command } from 'commander';
import { binanceEndpoints, type BinanceExchange } from '../exchanges/binance/endpoints.js';
import { ConfigError } from '../errors.js';
import {
  addFeatureFlags,
  addOutputFlags,
  DEFAULT_CSV,
  DEFAULT_JSON,
  featureOptionsFrom,
  type FeatureFlags,
  type OutputFlags,
} from './common-flags.js';
import { parseNonNegativeNumber, parsePositiveInt, parsePositiveNumber, parseSymbolList } from './flags.js';
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
    mode: 'poll';
    record?: string;
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
    .option('--depth-limit <n>', 'most levels requested from the API per poll', parsePositiveInt, 500)
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
    .addOption(new Option('--mode <mode>', 'how depth is collected').choices(['poll']).default('poll'))
    .option('--record <file>', 'also record every response (obi recording format; .gz to compress)');
  addFeatureFlags(cmd, 1.0);
  addOutputFlags(cmd, { csv: DEFAULT_CSV, json: DEFAULT_JSON });
  cmd.action(async (flags: CollectFlags) => {
    const endpoints = binanceEndpoints(flags.exchange, flags.market);
    const cfg: CollectConfig = {
      command: 'collect',
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
  return value.replace(/\/+$/, '');
}
