import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balancedSizes, planShards, type ShardPlanRequest } from '../../src/plan/shard-plan.js';
import { collectorArgs, consumerArgs, planLines, shellQuote } from '../../src/plan/plan-text.js';
import { ConfigError } from '../../src/errors.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i}USDT`);
const ws = (n: number, extra: Partial<ShardPlanRequest> = {}): ShardPlanRequest => ({
  exchange: 'binance',
  mode: 'ws',
  symbols: names(n),
  intervalMs: 100,
  depthLimit: 1000,
  ...extra,
});

describe('planShards: the arithmetic for every spot symbol at 100 ms (docs/scale-out.md)', () => {
  it('ws, snapshot limit 1000 (weight 50): 480 symbols sync in 5 min on one IP, so 2000 need 5 collectors', () => {
    const plan = planShards(ws(2000));
    // budget 6000 × 0.8 = 4800/min; 4800 × 5 min / 50 = 480 symbols
    expect(plan).toMatchObject({
      weightPerRequest: 50,
      budgetPerMinute: 4800,
      capacityPerCollector: 480,
      limitedBy: 'sync',
      minCollectors: 5,
    });
    expect(plan.collectors.map((c) => c.symbols.length)).toEqual([400, 400, 400, 400, 400]);
    // 400 × 50 = 20000 weight, 20000 / 4800 ≈ 4.17 min; then 400 × 50 × 1/h / 60 ≈ 333/min
    expect(plan.collectors[0]).toMatchObject({ connections: 1, streams: 400, syncWeight: 20_000 });
    expect(plan.collectors[0]!.syncMinutes).toBeCloseTo(20_000 / 4800, 10);
    expect(plan.collectors[0]!.steadyWeightPerMinute).toBeCloseTo(20_000 / 60, 10);
  });

  it('ws, snapshot limit 100 (weight 5): one collector takes all 2000 on two connections; limit 5000 needs 21', () => {
    const small = planShards(ws(2000, { depthLimit: 100 }));
    expect(small.minCollectors).toBe(1);
    expect(small.collectors[0]).toMatchObject({ connections: 2, streams: 2000, syncWeight: 10_000 });
    const big = planShards(ws(2000, { depthLimit: 5000 }));
    expect(big).toMatchObject({ weightPerRequest: 250, capacityPerCollector: 96, minCollectors: 21 });
  });

  it('poll at 100 ms: one symbol costs 5 × 600 = 3000/min, so one symbol per IP; at 1 s, 16', () => {
    expect(
      planShards({ exchange: 'binance', mode: 'poll', symbols: names(3), intervalMs: 100, depthLimit: 20 }),
    ).toMatchObject({
      capacityPerCollector: 1,
      minCollectors: 3,
    });
    expect(
      planShards({ exchange: 'binance', mode: 'poll', symbols: names(40), intervalMs: 1000, depthLimit: 20 }),
    ).toMatchObject({
      capacityPerCollector: 16,
      minCollectors: 3,
    });
    // limit 1000 (weight 50) every 100 ms: 30000/min, more than a whole IP's budget
    expect(() =>
      planShards({ exchange: 'binance', mode: 'poll', symbols: names(1), intervalMs: 100, depthLimit: 1000 }),
    ).toThrow(/poll every 630 ms or slower/);
  });

  it('trades double the streams; the machine cap and resyncs can bind instead of the sync', () => {
    expect(planShards(ws(1500, { depthLimit: 100, streamsPerSymbol: 2 })).collectors[0]).toMatchObject({
      streams: 3000,
      connections: 3,
    });
    expect(planShards(ws(2000, { depthLimit: 100, maxSymbolsPerCollector: 500 }))).toMatchObject({
      limitedBy: 'machine',
      minCollectors: 4,
    });
    // 4800 × 60 / (50 × 20 resyncs/h) = 288 < 480
    expect(planShards(ws(2000, { resyncsPerSymbolPerHour: 20 }))).toMatchObject({
      limitedBy: 'resync',
      capacityPerCollector: 288,
    });
  });

  it('too few collectors is refused with the number that fits; more than symbols is capped', () => {
    expect(() => planShards(ws(2000, { collectors: 4 }))).toThrow(ConfigError);
    expect(() => planShards(ws(2000, { collectors: 4 }))).toThrow(/at least 5 collectors/);
    expect(planShards(ws(3, { collectors: 10 })).collectors).toHaveLength(3);
    expect(planShards(ws(10, { collectors: 3 })).collectors.map((c) => c.symbols)).toEqual([
      ['S0USDT', 'S1USDT', 'S2USDT', 'S3USDT'],
      ['S4USDT', 'S5USDT', 'S6USDT'],
      ['S7USDT', 'S8USDT', 'S9USDT'],
    ]);
  });

  it('property: every symbol lands on exactly one collector and each stays within its capacity and 1024 streams', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom(100, 500, 1000, 5000),
        fc.integer({ min: 0, max: 10 }),
        (n, limit, more) => {
          const min = planShards(ws(n, { depthLimit: limit })).minCollectors;
          const plan = planShards(ws(n, { depthLimit: limit, collectors: min + more }));
          const all = plan.collectors.flatMap((c) => c.symbols);
          expect(all).toEqual(names(n));
          for (const c of plan.collectors) {
            expect(c.symbols.length).toBeLessThanOrEqual(plan.capacityPerCollector);
            expect(c.streams).toBeLessThanOrEqual(c.connections * 1024);
            expect(c.syncMinutes).toBeLessThanOrEqual(plan.maxSyncMinutes + 1e-9);
          }
        },
      ),
    );
    expect(balancedSizes(7, 3)).toEqual([3, 2, 2]);
  });
});

describe('plan text', () => {
  it('prints each collector`s command line and the consumer`s', () => {
    const plan = planShards(
      ws(5, { collectors: 2, exchange: 'binance', market: 'futures', depthLimit: 500 }),
    );
    expect(collectorArgs(plan, plan.collectors[0]!, { publishUrl: 'nats://10.0.0.5:4222' })).toEqual([
      'collect',
      '--mode',
      'ws',
      '--market',
      'futures',
      '--symbol',
      'S0USDT,S1USDT,S2USDT',
      '--interval',
      '0.1',
      '--snapshot-limit',
      '500',
      '--minutes',
      '0',
      '--publish',
      'nats://10.0.0.5:4222',
      '--csv',
      'obi-collector-1.csv',
      '--json',
      'obi-collector-1-metrics.json',
    ]);
    expect(consumerArgs(plan, { publishUrl: 'nats://h:4222', consumerSink: 'postgres://u@db/obi' })).toEqual([
      'consume',
      'nats://h:4222',
      '--market',
      'futures',
      '--sink',
      'postgres://u@db/obi',
    ]);
    const text = planLines(plan, { publishUrl: 'nats://h:4222?stream=A&replicas=3' }).join('\n');
    expect(text).toContain('obi collect --mode ws --market futures --symbol S3USDT,S4USDT');
    expect(text).toContain("--publish 'nats://h:4222?stream=A&replicas=3'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
