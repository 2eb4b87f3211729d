/**
 * `npm run bench`: obi against the limit (JSON.parse) and against ccxt and tardis-dev, from one run on the
 * same inputs, plus long-run memory and live fan-in. Prints a results table with the machine and the
 * command, and writes the figures as JSON to .obi-tmp/bench/last-run.json.
 *
 *   npm run bench                     the default (about 10 minutes on 2 cores; the first run also generates
 *                                     the simulated stream, 2-3 minutes, cached afterwards)
 *   npm run bench -- --quick          a few minutes: shorter stream, memory run and live windows
 *   npm run bench -- --full           the memory run at 20 symbols (17.28M rows) and 3 throughput rounds
 *   npm run bench -- --only throughput,memory,live
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { HFTBACKTEST_DIR } from './hftbacktest-datasets.js';
import { runJsonChild } from './json-child.js';
import type { FanInReport } from './live-fan-in.js';
import { describeMachine, type Machine } from './machine.js';
import type { MemoryReport } from './memory-replay.js';
import type { EndToEndFigures } from './replay-end-to-end.js';
import { ensureSimDiffStream } from './sim-diff-stream.js';
import { fmt, textTable } from './text-table.js';
import { measureLanes, type DatasetFigures } from './throughput.js';

/** The goals of issue 8. */
const GOAL_VS_JSON = 0.6;
const GOAL_VS_CCXT = 2;
const GOAL_VS_TARDIS = 1.2;
const GOAL_RSS_GROWTH = 0.1;
/** Top-L of the imbalance every lane computes (obi's default `--levels`). */
const LEVELS = 20;

const CACHE_DIR = fileURLToPath(new URL('../.obi-tmp/bench/', import.meta.url));

interface Plan {
  readonly mode: 'quick' | 'default' | 'full';
  readonly parts: ReadonlySet<string>;
  readonly messages: number;
  readonly symbols: number;
  readonly rounds: number;
  readonly endToEndRows: number;
  readonly memory: { readonly hours: number; readonly symbols: number; readonly hz: number };
  readonly live: { readonly symbols: readonly number[]; readonly seconds: number };
}

const PARTS = ['throughput', 'memory', 'live'];
const USAGE =
  'usage: npm run bench -- [--quick | --full] [--only throughput,memory,live] [--rounds N]\n' +
  '  --quick   a smaller run (200,000 diffs, 2 h of memory replay, 10 s of live fan-in)\n' +
  '  --full    the memory replay with the 20 symbols of the goal, 3 rounds\n' +
  '  --only    the parts to run, comma-separated (default: all three)\n' +
  '  --rounds  throughput rounds; each lane keeps its best (default 1, 3 with --full)';

/** Exits with the usage after a message naming what was wrong with the command line. */
function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function plan(): Plan {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        full: { type: 'boolean', default: false },
        only: { type: 'string' },
        rounds: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    usageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.quick && values.full) usageError('--quick and --full exclude each other');
  const mode = values.full ? 'full' : values.quick ? 'quick' : 'default';
  const parts = new Set((values.only ?? PARTS.join(',')).split(',').map((s) => s.trim()));
  for (const part of parts) {
    if (!PARTS.includes(part)) usageError(`--only: unknown part "${part}" (the parts: ${PARTS.join(', ')})`);
  }
  const rounds = values.rounds !== undefined ? Number(values.rounds) : mode === 'full' ? 3 : 1;
  if (!Number.isInteger(rounds) || rounds < 1) {
    usageError(`--rounds must be a whole number of at least 1, not "${values.rounds ?? ''}"`);
  }
  return {
    mode,
    parts,
    messages: mode === 'quick' ? 200_000 : 1_000_000,
    symbols: 100,
    rounds,
    endToEndRows: mode === 'quick' ? 50_000 : 100_000,
    // 24 h at 10 Hz: every symbol's state lives through a whole day. The default runs 2 symbols (1.73M rows,
    // two minutes on 2 cores); --full runs the 20 of the goal (17.28M rows, about 20 minutes).
    memory:
      mode === 'quick'
        ? { hours: 2, symbols: 2, hz: 10 }
        : { hours: 24, symbols: mode === 'full' ? 20 : 2, hz: 10 },
    live: { symbols: [200, 1000], seconds: mode === 'quick' ? 10 : 15 },
  };
}

function log(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

interface ThroughputPart {
  readonly datasets: readonly DatasetFigures[];
  readonly endToEnd: EndToEndFigures | null;
}

async function throughput(p: Plan): Promise<ThroughputPart> {
  log(`simulated stream: ${fmt(p.messages)} diffs over ${p.symbols} symbols (cached in ${CACHE_DIR})`);
  const started = performance.now();
  const sim = await ensureSimDiffStream(CACHE_DIR, { messages: p.messages, symbols: p.symbols });
  if (sim.generated) log(`generated ${sim.path} in ${fmt((performance.now() - started) / 1000, 1)} s`);
  // Warm-up passes over the first 100,000 lines (a whole real recording) until 3 s of CPU: steady state.
  const options = {
    levels: LEVELS,
    minCpuMs: 0,
    warmupLines: 100_000,
    warmupCpuMs: p.mode === 'quick' ? 1500 : 3000,
  };
  const datasets = await measureLanes({ kind: 'sim', path: sim.path }, p.rounds, options, log);
  if (existsSync(HFTBACKTEST_DIR)) {
    // Minutes of real data: each measurement passes over a recording until it has taken a second of CPU.
    const real = { ...options, minCpuMs: p.mode === 'quick' ? 500 : 1000 };
    datasets.push(...(await measureLanes({ kind: 'hftbacktest' }, p.rounds, real, log)));
  } else {
    log(`no ${HFTBACKTEST_DIR}: real-data lanes skipped`);
  }
  log(`obi replay end to end: first ${fmt(p.endToEndRows)} rows of ${sim.path}`);
  const endToEnd = await runJsonChild<EndToEndFigures>('replay-end-to-end.ts', [
    '--path',
    sim.path,
    '--rows',
    String(p.endToEndRows),
  ]);
  return { datasets, endToEnd };
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

function printThroughput(t: ThroughputPart, p: Plan): string[] {
  const out: string[] = [];
  out.push(
    `1. Replay throughput: parse + book + top-${LEVELS} imbalance after every diff, lines per CPU-second ` +
      `(best of ${p.rounds}; wall-clock rate alongside)`,
  );
  const goals: string[] = [];
  for (const d of t.datasets) {
    out.push('');
    out.push(
      `${d.dataset.name}: ${fmt(d.dataset.diffs)} diffs, ${fmt(d.dataset.levelsPerDiff, 1)} levels per diff` +
        (d.checksumsAgree ? '; every book lane computed identical imbalances' : ''),
    );
    const rateOf = (id: string): number => d.lanes.find((l) => l.id === id)?.rate ?? Number.NaN;
    const json = rateOf('json');
    const obi = rateOf('obi');
    const rows: string[][] = [['lane', 'lines/CPU-s', 'lines/s (wall)', 'vs JSON.parse', 'obi is ×']];
    for (const l of d.lanes) {
      rows.push([
        l.lane,
        fmt(l.rate),
        fmt(l.wallRate),
        fmt(l.rate / json, 2),
        l.id === 'obi' || l.id === 'json' ? '' : fmt(obi / l.rate, 2),
      ]);
    }
    out.push(...textTable(rows, [false, true, true, true, true]));
    const ccxt = rateOf('ccxt');
    const tardis = rateOf('tardis');
    goals.push(
      `  ${d.dataset.name}: obi/JSON.parse ${fmt(obi / json, 2)} (goal ≥ ${GOAL_VS_JSON}: ${verdict(obi / json >= GOAL_VS_JSON)}), ` +
        `obi/ccxt ${fmt(obi / ccxt, 2)} (≥ ${GOAL_VS_CCXT}: ${verdict(obi / ccxt >= GOAL_VS_CCXT)}), ` +
        `obi/tardis-dev ${fmt(obi / tardis, 2)} (≥ ${GOAL_VS_TARDIS}: ${verdict(obi / tardis >= GOAL_VS_TARDIS)})`,
    );
  }
  const e = t.endToEnd;
  if (e !== null) {
    out.push('');
    out.push(
      `obi replay --sample event, file to rows (${e.columns} columns, CLI default horizons), first ${fmt(e.rows)} rows: ` +
        `${fmt(e.rate)} lines/CPU-s (${fmt(e.wallRate)}/s wall); reading + JSON.parse of the same lines ` +
        `${fmt(e.jsonRate)}/CPU-s (ratio ${fmt(e.rate / e.jsonRate, 2)})`,
    );
  }
  out.push('');
  out.push('Goals:');
  out.push(...goals);
  return out;
}

function printMemory(m: MemoryReport): string[] {
  const rows: string[][] = [['hours in', 'rows', 'RSS MiB', 'heap MiB', 'array buffers MiB']];
  const points = m.trajectory;
  for (let i = 0; i < points.length; i += Math.max(1, Math.floor(points.length / 8))) {
    const pt = points[i];
    if (pt === undefined) continue;
    rows.push([fmt(pt.hours, 1), fmt(pt.rows), fmt(pt.rssMiB), fmt(pt.heapUsedMiB), fmt(pt.arrayBuffersMiB)]);
  }
  return [
    `2. Memory: ${m.hours} h of samples at ${m.hz} Hz for ${m.symbols} symbols = ${fmt(m.rows)} rows through ` +
      'features, labels, predictor and metrics, CSV to /dev/null',
    `peak RSS ${fmt(m.peakRssMiB)} MiB; RSS ${fmt(m.warmupRssMiB)} MiB after warm-up (first tenth) → ` +
      `${fmt(m.endRssMiB)} MiB at the end; growth after warm-up ${fmt(100 * m.rssGrowth, 1)}% ` +
      `(goal < ${100 * GOAL_RSS_GROWTH}%: ${verdict(m.rssGrowth < GOAL_RSS_GROWTH)}); heap after GC ` +
      `${fmt(m.warmupHeapMiB)} → ${fmt(m.endHeapMiB)} MiB; ${fmt(m.rowsPerSecond)} rows/s, ${fmt(m.seconds)} s`,
    ...textTable(rows, [true, true, true, true, true]),
  ];
}

function printLive(reports: readonly FanInReport[], seconds: number): string[] {
  const rows: string[][] = [
    [
      'symbols',
      'sync s',
      'CPU (1 core)',
      'event loop',
      'diffs/s',
      'samples/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'sim CPU',
    ],
  ];
  for (const r of reports) {
    rows.push([
      fmt(r.symbols),
      fmt(r.syncSeconds, 1),
      `${fmt(100 * r.cpuShare)}%`,
      `${fmt(100 * r.eventLoopUtilization)}%`,
      fmt(r.diffsPerSecond),
      fmt(r.samplesPerSecond),
      fmt(r.latencyP50Ms, 1),
      fmt(r.latencyP99Ms, 1),
      fmt(r.latencyMaxMs, 1),
      r.simulatorCpuShare === null ? '–' : `${fmt(100 * r.simulatorCpuShare)}%`,
    ]);
  }
  return [
    `3. Live fan-in: N symbols @depth@100ms from the local simulator (its own process) over websockets → ` +
      `openWsDepthStream → sampleDiffs (100 ms cadence) → rows (CSV to /dev/null); ${seconds} s window after ` +
      'every book synced; latency = sample handed on − its tick time',
    ...textTable(rows, [true, true, true, true, true, true, true, true, true, true]),
    ...reports.filter((r) => r.note !== null).map((r) => `note (${r.symbols} symbols): ${r.note}`),
  ];
}

function printHeader(machine: Machine, p: Plan): string[] {
  const args = process.argv.slice(2).join(' ');
  return [
    `obi bench (${p.mode}) — ${new Date().toISOString()}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${fmt(machine.memoryGiB, 1)} GiB, ${machine.os}, ` +
      `Node ${machine.node}; load average ${fmt(machine.loadAverage, 2)} at start`,
    `command: npm run bench${args === '' ? '' : ` -- ${args}`}  (node --expose-gc --import tsx bench/run.ts)`,
  ];
}

async function main(): Promise<void> {
  const p = plan();
  const machine = describeMachine();
  const started = performance.now();
  const results: Record<string, unknown> = { machine, plan: { ...p, parts: [...p.parts] } };
  const sections: string[][] = [];
  if (p.parts.has('throughput')) {
    const t = await throughput(p);
    results['throughput'] = t;
    sections.push(printThroughput(t, p));
  }
  if (p.parts.has('memory')) {
    const { hours, symbols, hz } = p.memory;
    log(`memory: ${hours} h × ${symbols} symbols × ${hz} Hz in a child process`);
    const m = await runJsonChild<MemoryReport>('memory-replay.ts', [
      '--hours',
      String(hours),
      '--symbols',
      String(symbols),
      '--hz',
      String(hz),
    ]);
    results['memory'] = m;
    sections.push(printMemory(m));
  }
  if (p.parts.has('live')) {
    const reports: FanInReport[] = [];
    for (const n of p.live.symbols) {
      log(`live fan-in: ${n} symbols`);
      reports.push(
        await runJsonChild<FanInReport>('live-fan-in.ts', [
          '--symbols',
          String(n),
          '--seconds',
          String(p.live.seconds),
        ]),
      );
    }
    results['live'] = reports;
    sections.push(printLive(reports, p.live.seconds));
  }
  const lines = printHeader(machine, p);
  for (const s of sections) lines.push('', ...s);
  lines.push('', `total ${fmt((performance.now() - started) / 1000)} s`);
  process.stdout.write(lines.join('\n') + '\n');
  await mkdir(CACHE_DIR, { recursive: true });
  await writeFile(new URL('last-run.json', `file://${CACHE_DIR}`), JSON.stringify(results, null, 2) + '\n');
}

await main();
