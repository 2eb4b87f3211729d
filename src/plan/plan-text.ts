/**
 * A shard plan for people: the arithmetic in a few lines, then each collector with its command line, then
 * the consumer's. Pure: returns lines and argument lists.
 */
import type { CollectorShard, ShardPlan } from './shard-plan.js';

/** What the printed command lines should carry besides the plan. */
export interface PlanCommandOptions {
  /** The bus every collector publishes to (`--publish`). */
  readonly publishUrl: string;
  /**
   * The program name at the start of each line.
   * @default 'obi'
   */
  readonly program?: string;
  /** Where the consumer writes (`--sink`), e.g. a postgres:// URL; absent = its CSV. */
  readonly consumerSink?: string;
}

/** Returns `arg` quoted for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Returns the argv of one collector's `obi collect` (without the program name). */
export function collectorArgs(plan: ShardPlan, shard: CollectorShard, o: PlanCommandOptions): string[] {
  const args = ['collect', '--mode', plan.mode];
  if (plan.exchange !== 'binance') args.push('--exchange', plan.exchange);
  if (plan.market !== 'spot') args.push('--market', plan.market);
  args.push(
    '--symbol',
    shard.symbols.join(','),
    '--interval',
    String(plan.intervalMs / 1000),
    plan.mode === 'poll' ? '--depth-limit' : '--snapshot-limit',
    String(plan.depthLimit),
    ...(plan.streamsPerSymbol > 1 ? ['--trades'] : []),
    '--minutes',
    '0',
    '--publish',
    o.publishUrl,
    '--csv',
    `obi-collector-${shard.index}.csv`,
    '--json',
    `obi-collector-${shard.index}-metrics.json`,
  );
  return args;
}

/** Returns the argv of the consumer that reads every collector's rows (without the program name). */
export function consumerArgs(plan: ShardPlan, o: PlanCommandOptions): string[] {
  const args = ['consume', o.publishUrl];
  if (plan.exchange !== 'binance') args.push('--exchange', plan.exchange);
  if (plan.market !== 'spot') args.push('--market', plan.market);
  if (o.consumerSink !== undefined) args.push('--sink', o.consumerSink);
  return args;
}

function range(symbols: readonly string[]): string {
  if (symbols.length <= 4) return symbols.join(', ');
  return `${symbols[0]}, ${symbols[1]} … ${symbols.at(-1)}`;
}

/** Returns the plan as text lines: arithmetic, collectors with their command lines, the consumer. */
export function planLines(plan: ShardPlan, o: PlanCommandOptions): string[] {
  const program = o.program ?? 'obi';
  const total = plan.collectors.reduce((n, c) => n + c.symbols.length, 0);
  const venue = `${plan.exchange} ${plan.market}`;
  const lines: string[] = [];
  const budget = `${num(plan.budgetPerMinute)}/min (${Math.round(plan.safetyFraction * 100)}% of ${plan.weightLimitPerMinute} REQUEST_WEIGHT per IP)`;
  if (plan.mode === 'poll') {
    lines.push(
      `${total} symbols, ${venue}, polling every ${plan.intervalMs} ms with limit ${plan.depthLimit} (weight ${plan.weightPerRequest} each)`,
      `one symbol costs ${plan.weightPerRequest} × ${num(60_000 / plan.intervalMs)} requests/min = ` +
        `${num((plan.weightPerRequest * 60_000) / plan.intervalMs)}/min; budget per collector ${budget}`,
    );
  } else {
    const stream = plan.intervalMs < 1000 ? '@depth@100ms' : '@depth';
    lines.push(
      `${total} symbols, ${venue}, websocket ${stream} sampled every ${plan.intervalMs} ms; sync snapshots of limit ${plan.depthLimit} (weight ${plan.weightPerRequest} each)`,
      `budget per collector ${budget}; startup sync within ${num(plan.maxSyncMinutes)} min; ` +
        `${num(plan.resyncsPerSymbolPerHour)} resync/symbol/hour; ≤ 1024 streams per connection`,
    );
  }
  const why: Record<ShardPlan['limitedBy'], string> = {
    weight: 'steady polling weight',
    sync: 'startup sync weight',
    resync: 'resync weight',
    machine: '--max-symbols-per-collector',
  };
  lines.push(
    `one collector takes at most ${plan.capacityPerCollector} symbols (${why[plan.limitedBy]}) → ` +
      `at least ${plan.minCollectors} collector${plan.minCollectors === 1 ? '' : 's'}, ` +
      `${plan.collectors.length} planned; run each on its own IP address`,
    '',
  );
  for (const c of plan.collectors) {
    const usage =
      plan.mode === 'poll'
        ? `${num(c.steadyWeightPerMinute)}/min`
        : `${c.connections} connection${c.connections === 1 ? '' : 's'} (${c.streams} stream${c.streams === 1 ? '' : 's'}), ` +
          `sync ${c.syncWeight} weight ≈ ${c.syncMinutes.toFixed(1)} min, then ${num(c.steadyWeightPerMinute)}/min`;
    const n = c.symbols.length;
    lines.push(`collector ${c.index}: ${n} symbol${n === 1 ? '' : 's'} (${range(c.symbols)}); ${usage}`);
    lines.push(`  ${[program, ...collectorArgs(plan, c, o)].map(shellQuote).join(' ')}`);
  }
  lines.push('', 'consumer (any machine; several can share the work, see docs/scale-out.md):');
  lines.push(`  ${[program, ...consumerArgs(plan, o)].map(shellQuote).join(' ')}`);
  return lines;
}
