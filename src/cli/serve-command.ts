/**
 * `obi serve`: the live dashboard in a browser, fed by polling a venue — the built-in simulated exchange by
 * default (`--demo`), or any Binance-compatible REST host (`--base-url`). Bound to 127.0.0.1 unless `--host`
 * says otherwise. Runs until Ctrl-C (or `--minutes`, after which the page keeps showing the last state).
 */
import { Option, type Command } from 'commander';
import { DashboardServer } from '../dashboard/dashboard-server.js';
import { feedDashboardByPolling } from '../dashboard/live-feed.js';
import type { BinanceExchange } from '../exchanges/binance/endpoints.js';
import { startSimulator, type RunningSimulator } from '../exchanges/simulator/server.js';
import { resolveFeatureOptions } from '../options.js';
import { normalizeBaseUrl } from './collect-command.js';
import { interruptSignal } from './collect-session.js';
import {
  parseIntervalSec,
  parseNonNegativeNumber,
  parsePort,
  parsePositiveInt,
  parseSymbolList,
} from './flags.js';

interface ServeFlags {
  demo?: boolean;
  baseUrl?: string;
  symbol: string[];
  interval: number;
  levels: number;
  ema: number;
  host: string;
  port: number;
  minutes: number;
  seed: number;
  exchange: BinanceExchange;
  market: 'spot' | 'futures';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('live dashboard in your browser: book ladder, obi gauge and chart, gate, depth heatmap')
    .option('--demo', 'feed it from the built-in simulated exchange (the default without --base-url)')
    .option(
      '--base-url <url>',
      'REST host to poll instead, e.g. https://data-api.binance.vision or an `obi sim`',
    )
    .option('--symbol <symbols>', 'symbol(s), comma-separated', parseSymbolList, ['BTCUSDT'])
    .option('--interval <sec>', 'sampling interval in seconds', parseIntervalSec, 0.5)
    .option('--levels <n>', 'top L levels for obi and the ladder', parsePositiveInt, 10)
    .option('--ema <span>', 'EWMA span for obi_ema', parsePositiveInt, 30)
    .option('--host <host>', 'address to bind (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <port>', 'port (0 = a free one)', parsePort, 8787)
    .option('--minutes <m>', 'stop polling after this long; 0 = until Ctrl-C', parseNonNegativeNumber, 0)
    .option('--seed <n>', 'seed of the simulated market (--demo)', parsePositiveInt, 1)
    .addOption(
      new Option('--exchange <name>', 'venue of --base-url: sets request weights')
        .choices(['binance', 'binance-us'])
        .default('binance'),
    )
    .addOption(
      new Option('--market <market>', 'spot or USD-M futures').choices(['spot', 'futures']).default('spot'),
    )
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  const out = process.stdout;
  const useSimulator = flags.demo === true || flags.baseUrl === undefined;
  const features = resolveFeatureOptions({
    levels: flags.levels,
    intervalSec: flags.interval,
    ema: flags.ema,
  });
  const { signal, dispose } = interruptSignal();
  let sim: RunningSimulator | null = null;
  let dashboard: DashboardServer | null = null;
  try {
    sim = useSimulator ? await startSimulator({ seed: flags.seed, market: flags.market }) : null;
    const baseUrl = sim !== null ? sim.url : normalizeBaseUrl(flags.baseUrl as string);
    dashboard = await DashboardServer.start({
      host: flags.host,
      port: flags.port,
      levels: Math.min(flags.levels, 20),
      title: `obi live — ${flags.symbol.join(', ')}`,
      // Two heatmap columns per sample interval at most, over the chart's window.
      heatIntervalMs: Math.max(250, flags.interval * 1000),
    });
    out.write(
      `obi serve: dashboard on ${dashboard.url} — open it in a browser\n` +
        `  feeding ${flags.symbol.join(',')} every ${flags.interval}s from ` +
        `${sim !== null ? `the built-in simulated exchange (${sim.url})` : baseUrl}; Ctrl-C stops\n`,
    );
    if (!LOOPBACK.has(flags.host)) {
      out.write(`  note: bound to ${flags.host}, so other machines on the network can open it too\n`);
    }
    await feedDashboardByPolling({
      dashboard,
      baseUrl,
      symbols: flags.symbol,
      features,
      exchange: flags.exchange,
      market: flags.market,
      signal,
      ...(flags.minutes > 0 ? { durationMs: flags.minutes * 60_000 } : {}),
    });
    if (!signal.aborted) {
      out.write('obi serve: feed ended; the page shows the last state until Ctrl-C\n');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } finally {
    dispose();
    await dashboard?.close();
    await sim?.close();
  }
}
