/**
 * The simulated exchange for the live fan-in benchmark, in its own process so that the client's CPU share
 * is the client's alone. Prints `{"url","wsUrl"}` as one JSON line once it listens; on SIGTERM (or when
 * stdin closes) it prints its own CPU use as a second JSON line and exits.
 *
 * Usage: node --import tsx bench/simulator-process.ts --symbols 200 [--seed 1]
 */
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/exchanges/simulator/server.js';
import { SIMULATOR_WEIGHT_LIMIT } from './simulator-weight-limit.js';
import { benchSymbolSpecs } from './sim-diff-stream.js';

const { values } = parseArgs({
  options: { symbols: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } },
});
const symbols = Number(values.symbols);
const seed = Number(values.seed);
const sim = await startSimulator({
  symbols: benchSymbolSpecs(symbols, seed),
  seed,
  weightLimitPerMinute: SIMULATOR_WEIGHT_LIMIT,
});
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
process.stdout.write(JSON.stringify({ url: sim.url, wsUrl: sim.wsUrl }) + '\n');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  await sim.close();
  process.stdout.write(JSON.stringify({ cpuShare: (cpu.user + cpu.system) / 1000 / wallMs }) + '\n');
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
