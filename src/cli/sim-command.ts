/** `obi sim`: the built-in simulated exchange, serving Binance's REST and websocket formats on loopback. */
import { Option, type Command } from 'commander';
import { startSimulator, type RunningSimulator } from '../exchanges/simulator/server.js';
import { ConfigError, isObiError } from '../errors.js';
import { fsErrorCode } from '../io/fs-error.js';
import { parsePort, parsePositiveInt } from './flags.js';
import { interruptSignal } from './collect-session.js';

interface SimFlags {
  host: string;
  port: number;
  seed: number;
  faults?: string;
  market: 'spot' | 'futures';
  eventsPerSecond?: number;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run the simulated exchange (Binance wire format) until Ctrl-C')
    .option('--host <host>', 'address to bind (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <port>', 'port (0 = a free one)', parsePort, 0)
    .option('--seed <n>', 'seed of the market path', parsePositiveInt, 1)
    .addOption(
      new Option('--market <market>', 'spot or futures').choices(['spot', 'futures']).default('spot'),
    )
    .option('--events-per-second <n>', 'order-flow events per second per symbol', parsePositiveInt)
    .option('--faults <spec>', 'faults to inject, e.g. rest-5xx:0.1,ws-gap:0.01 (see docs/simulator.md)')
    .action(async (flags: SimFlags) => {
      const sim = await listening(flags.host, flags.port, () =>
        startSimulator({
          host: flags.host,
          port: flags.port,
          seed: flags.seed,
          market: flags.market,
          ...(flags.faults !== undefined ? { faults: flags.faults } : {}),
          ...(flags.eventsPerSecond !== undefined ? { eventsPerSecond: flags.eventsPerSecond } : {}),
        }),
      );
      const symbols = sim.market.symbols.join(', ');
      process.stdout.write(
        `obi sim: simulated exchange on ${sim.url} (websocket ${sim.wsUrl}), symbols ${symbols}\n` +
          `try: obi collect --base-url ${sim.url} --symbol ${sim.market.symbols[0] ?? 'BTCUSDT'} --minutes 1\n` +
          'Ctrl-C to stop.\n',
      );
      const { signal, dispose } = interruptSignal();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      dispose();
      await sim.close();
    });
}

/** Returns the started simulator; a failure to listen becomes a ConfigError saying what to change. */
async function listening(
  host: string,
  port: number,
  start: () => Promise<RunningSimulator>,
): Promise<RunningSimulator> {
  try {
    return await start();
  } catch (error) {
    if (isObiError(error)) throw error;
    throw listenError(host, port, error);
  }
}

/** Returns the ConfigError for a server that could not listen on `host:port`. */
export function listenError(host: string, port: number, error: unknown): ConfigError {
  const code = fsErrorCode(error);
  const what =
    code === 'EADDRINUSE'
      ? `port ${port} is already in use; choose another with --port (0 picks a free one)`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `${host} is not an address of this machine; use --host 127.0.0.1`
        : code === 'EACCES'
          ? `no permission to listen on port ${port} (ports below 1024 need privileges); choose another with --port`
          : error instanceof Error
            ? error.message
            : String(error);
  return new ConfigError(`cannot listen on ${host}:${port}: ${what}`, 'port');
}
