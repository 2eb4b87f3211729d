/**
 * `obi demo` — what `npm start` runs: the built-in exchange on a free loopback port, the real live
 * collector against it (websocket mode by default, `--mode poll` for REST polling), the deliverables in
 * ./obi-demo/. Nothing leaves the machine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_SNAPSHOT_LIMIT } from '../exchanges/binance/ws-depth-stream.js';
import { MAX_STREAMS_PER_CONNECTION } from '../exchanges/binance/ws-stream-plan.js';
import type { SampleMode } from '../pipeline/diff-sampler.js';
import { startSimulator } from '../exchanges/simulator/server.js';
import { addDashboardFlag, addFeatureFlags, featureOptionsFrom, type FeatureFlags } from './common-flags.js';
import { parsePath, parsePositiveInt, parsePositiveNumber, parseSymbolList } from './flags.js';
import { interruptSignal, runCollect } from './collect-session.js';

type DemoFlags = FeatureFlags & {
  interval: number;
  minutes: number;
  out: string;
  symbol: string[];
  seed: number;
  mode: 'ws' | 'poll';
  sample: SampleMode;
  quiet?: boolean;
  report: boolean;
  dashboard?: string | boolean;
};

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description(
      'try obi offline: the built-in simulated exchange plus the live collector, for about a minute',
    )
    .option('--minutes <m>', 'how long to collect', parsePositiveNumber, 1)
    .option('--out <dir>', 'where to write the outputs (overwritten on each demo run)', parsePath, 'obi-demo')
    .option('--symbol <symbols>', 'simulated symbols to collect', parseSymbolList, ['BTCUSDT'])
    .option('--seed <n>', 'seed of the simulated market', parsePositiveInt, 1)
    .addOption(
      new Option('--mode <mode>', 'ws: local books from the diff-depth stream; poll: REST snapshots')
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
    .option('--no-report', 'skip the HTML report (written to <out>/report.html by default)')
    .option('--quiet', 'print only errors');
  addDashboardFlag(cmd);
  // The simulated book is deep and its far queues move slowly, so the near levels carry the signal:
  // the demo aggregates 5 levels (collect keeps the original 20).
  addFeatureFlags(cmd, 0.25, 5);
  cmd.action(async (flags: DemoFlags) => {
    const out = process.stdout;
    mkdirSync(flags.out, { recursive: true });
    const sim = await startSimulator({ seed: flags.seed });
    const csv = join(flags.out, 'level43_orderbook_imbalance.csv');
    const json = join(flags.out, 'level43_orderbook_imbalance_metrics.json');
    if (flags.quiet !== true) {
      out.write(
        `obi demo: simulated exchange on ${sim.url}; ${flags.mode === 'ws' ? 'streaming' : 'polling'} ` +
          `${flags.symbol.join(',')}, ` +
          (flags.mode === 'ws' && flags.sample === 'event'
            ? 'a row per update'
            : `a row every ${flags.interval}s`) +
          ` for ${flags.minutes} min (Ctrl-C stops early and still saves)\n`,
      );
    }
    const { signal, dispose } = interruptSignal();
    try {
      await runCollect(
        {
          command: 'demo',
          mode: flags.mode,
          sample: flags.sample,
          wsBaseUrl: sim.wsUrl,
          snapshotLimit: DEFAULT_SNAPSHOT_LIMIT,
          maxStreamsPerConnection: MAX_STREAMS_PER_CONNECTION,
          symbols: flags.symbol,
          exchange: 'binance',
          market: 'spot',
          baseUrl: sim.url,
          intervalSec: flags.interval,
          minutes: flags.minutes,
          depthLimit: 500,
          timeoutSec: 2,
          verifyTls: true,
          features: featureOptionsFrom(flags, flags.interval),
          output: {
            csv,
            json,
            force: true,
            ...(flags.report ? { report: join(flags.out, 'report.html') } : {}),
            ...(flags.dashboard !== undefined ? { dashboard: flags.dashboard } : {}),
            ...(flags.quiet === true ? { quiet: true } : {}),
          },
          record: join(flags.out, 'recording.ndjson.gz'),
          validateSymbols: true,
        },
        out,
        signal,
      );
    } finally {
      dispose();
      await sim.close();
    }
  });
}
