/**
 * One throughput measurement in a fresh process: loads the datasets (the simulated stream from its file,
 * or the hftbacktest recordings), runs one lane on each, and prints a LaneProcessReport as one JSON line.
 *
 * Usage: node --expose-gc --import tsx bench/lane-process.ts --lane obi --source sim --path FILE
 *        [--levels 20] [--min-cpu-ms 0] [--warmup-lines 100000] [--warmup-cpu-ms 0]
 */
import { parseArgs } from 'node:util';
import { HFTBACKTEST_DIR, loadHftbacktestDatasets } from './hftbacktest-datasets.js';
import { laneById } from './lanes/lane-registry.js';
import type { ReplayDataset } from './replay-dataset.js';
import { loadSimDataset } from './sim-diff-stream.js';
import { infoOf, measureLane, type LaneProcessReport } from './throughput.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lane: { type: 'string' },
      source: { type: 'string', default: 'sim' },
      path: { type: 'string' },
      levels: { type: 'string', default: '20' },
      'min-cpu-ms': { type: 'string', default: '0' },
      'warmup-lines': { type: 'string', default: '100000' },
      'warmup-cpu-ms': { type: 'string', default: '0' },
    },
  });
  const lane = laneById(values.lane ?? '');
  const datasets: ReplayDataset[] =
    values.source === 'hftbacktest'
      ? loadHftbacktestDatasets(HFTBACKTEST_DIR)
      : [await loadSimDataset(values.path ?? '')];
  const report: LaneProcessReport = { lane: lane.name, datasets: [] };
  const out = report.datasets as Array<LaneProcessReport['datasets'][number]>;
  for (const dataset of datasets) {
    const measurement = await measureLane(lane, dataset, {
      levels: Number(values.levels),
      minCpuMs: Number(values['min-cpu-ms']),
      warmupLines: Math.min(Number(values['warmup-lines']), dataset.lines.length),
      warmupCpuMs: Number(values['warmup-cpu-ms']),
    });
    out.push({ dataset: infoOf(dataset), measurement });
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

await main();
