/** `obi sim`: the built-in simulated exchange, serving Binance's REST and websocket formats on loopback. */
import type { Command } from 'commander';
import { startSimulator } from '../exchanges/simulator/server.js';
import { parseNonNegativeNumber, parsePositiveInt } from './flags.js';
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
    .option('--port <port>', 'port (0 = a free one)', (v) => Math.trunc(parseNonNegativeNumber(v)), 0)
    .option('--seed <n>', 'seed of the market path', parsePositiveInt, 1)
    .option('--market <market>', 'spot or futures', 'spot')
    .option('--events-per-second <n>', 'order-flow events per second per symbol', parsePositiveInt)
    .option('--faults <spec>', 'faults to inject, e.g. rest-5xx:0.1,ws-gap:0.01 (see docs/simulator.md)')
    .action(async (flags: SimFlags) => {
      const sim = await startSimulator({
        host: flags.host,
        port: flags.port,
        seed: flags.seed,
        market: flags.market === 'futures' ? 'futures' : 'spot',
        ...(flags.faults !== undefined ? { faults: flags.faults } : {}),
        ...(flags.eventsPerSecond !== undefined ? { eventsPerSecond: flags.eventsPerSecond } : {}),
      });
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
