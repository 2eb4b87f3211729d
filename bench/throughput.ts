/**
 * Part 1: replay throughput. Every lane consumes the same recording lines, held in memory, with fresh
 * state, and computes the top-L imbalance after each diff. Each measurement runs in a fresh process
 * (bench/lane-process.ts): lanes that share a heap disturb each other through the garbage collector (a lane
 * that retains much makes the next one's collections dearer), and a fresh process also gives every library
 * a cold start and its own JIT warm-up. The rate is lines per CPU-second of that process (user + system,
 * GC threads included), which other processes on the machine disturb less than wall time; the wall-clock
 * rate is kept alongside. Rounds interleave the lanes, and the best round counts.
 */
import { runJsonChild } from './json-child.js';
import { LANE_IDS, laneById, type LaneId } from './lanes/lane-registry.js';
import type { LaneResult, ReplayLane } from './lanes/replay-lane.js';
import type { ReplayDataset } from './replay-dataset.js';

/** A dataset without its lines, for reports. */
export type DatasetInfo = Omit<ReplayDataset, 'lines'> & { readonly lines: number };

/** One timed measurement of one lane on one dataset. */
export interface LaneMeasurement {
  /** Lines per CPU-second. */
  readonly rate: number;
  /** Lines per wall-clock second. */
  readonly wallRate: number;
  readonly passes: number;
  readonly result: LaneResult;
}

/** What one lane process prints. */
export interface LaneProcessReport {
  readonly lane: string;
  readonly datasets: ReadonlyArray<{ readonly dataset: DatasetInfo; readonly measurement: LaneMeasurement }>;
}

/** One lane's best figures on one dataset. */
export interface LaneFigures extends LaneMeasurement {
  readonly id: LaneId;
  readonly lane: string;
}

/** Lanes on one dataset. */
export interface DatasetFigures {
  readonly dataset: DatasetInfo;
  readonly lanes: readonly LaneFigures[];
  /** True when every lane that computes imbalances reported the same count and the same sum. */
  readonly checksumsAgree: boolean;
}

/** How one lane process measures. */
export interface MeasureOptions {
  readonly levels: number;
  /** A lane passes over the dataset again until its CPU time reaches this (small datasets). */
  readonly minCpuMs: number;
  /** Lines of the dataset a warm-up pass runs over before timing (JIT), 0 for none. */
  readonly warmupLines: number;
  /**
   * Warm-up passes repeat until they have taken this much CPU. V8 needs several passes over a small
   * dataset before it stops deoptimising and recompiling (a first pass over a real recording ran at half
   * the steady rate); every lane gets the same warm-up.
   */
  readonly warmupCpuMs: number;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Returns the dataset's first `lines` lines as a dataset of its own. */
export function prefixOf(dataset: ReplayDataset, lines: number): ReplayDataset {
  return { ...dataset, lines: dataset.lines.slice(0, lines) };
}

/** Returns `dataset` without its lines. */
export function infoOf(dataset: ReplayDataset): DatasetInfo {
  const { lines, ...rest } = dataset;
  return { ...rest, lines: lines.length };
}

/** Warms `lane` up on a prefix, then times passes over `dataset` until the CPU time reaches `minCpuMs`. */
export async function measureLane(
  lane: ReplayLane,
  dataset: ReplayDataset,
  o: MeasureOptions,
): Promise<LaneMeasurement> {
  // The heap is cleaned before the warm-up, not after it: a full collection between the warm-up and the
  // timed pass let the maps of the warm-up's dead objects die, which threw away the optimised code built on
  // them (some 50 functions recompiled at a third of the speed). A real run never drops all its objects.
  (globalThis as { gc?: () => void }).gc?.();
  if (o.warmupLines > 0) {
    const prefix = prefixOf(dataset, o.warmupLines);
    const warm0 = process.cpuUsage();
    do await lane.run(prefix, o.levels);
    while (cpuMs(process.cpuUsage(warm0)) < o.warmupCpuMs);
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let lines = 0;
  let passes = 0;
  let result: LaneResult;
  do {
    result = await lane.run(dataset, o.levels);
    lines += result.lines;
    passes++;
  } while (cpuMs(process.cpuUsage(cpu0)) < o.minCpuMs);
  const cpu = cpuMs(process.cpuUsage(cpu0));
  const wall = performance.now() - wall0;
  return { rate: (lines * 1000) / cpu, wallRate: (lines * 1000) / wall, passes, result };
}

/** Which datasets a lane process loads. */
export type DatasetSource =
  { readonly kind: 'sim'; readonly path: string } | { readonly kind: 'hftbacktest' };

/**
 * Measures every lane on the datasets of `source`, one process per lane and round, rounds interleaving
 * the lanes; returns each lane's best round per dataset.
 */
export async function measureLanes(
  source: DatasetSource,
  rounds: number,
  o: MeasureOptions,
  onProgress: (text: string) => void,
): Promise<DatasetFigures[]> {
  const best = new Map<string, Map<LaneId, LaneFigures>>();
  const infos = new Map<string, DatasetInfo>();
  for (let round = 0; round < rounds; round++) {
    for (const id of LANE_IDS) {
      onProgress(`  ${source.kind}: ${laneById(id).name} (round ${round + 1}/${rounds})`);
      const args = [
        '--lane',
        id,
        '--source',
        source.kind,
        '--levels',
        String(o.levels),
        '--min-cpu-ms',
        String(o.minCpuMs),
        '--warmup-lines',
        String(o.warmupLines),
        '--warmup-cpu-ms',
        String(o.warmupCpuMs),
        ...(source.kind === 'sim' ? ['--path', source.path] : []),
      ];
      const report = await runJsonChild<LaneProcessReport>('lane-process.ts', args);
      for (const { dataset, measurement } of report.datasets) {
        infos.set(dataset.name, dataset);
        const byLane = best.get(dataset.name) ?? new Map<LaneId, LaneFigures>();
        best.set(dataset.name, byLane);
        const prev = byLane.get(id);
        if (prev === undefined || measurement.rate > prev.rate)
          byLane.set(id, { ...measurement, id, lane: report.lane });
      }
    }
  }
  return [...best.entries()].map(([name, byLane]) => {
    const lanes = LANE_IDS.map((id) => byLane.get(id)).filter((l): l is LaneFigures => l !== undefined);
    const computing = lanes.filter((l) => l.id !== 'json');
    const first = computing[0]?.result;
    const checksumsAgree =
      first !== undefined &&
      first.samples > 0 &&
      computing.every((l) => l.result.samples === first.samples && l.result.checksum === first.checksum);
    return { dataset: infos.get(name) as DatasetInfo, lanes, checksumsAgree };
  });
}
