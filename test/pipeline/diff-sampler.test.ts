import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceLevel, StreamStatus } from '../../src/events.js';
import type { SnapshotRequest } from '../../src/pipeline/diff-book-keeper.js';
import { sampleDiffs, type DiffSamplerInput } from '../../src/pipeline/diff-sampler.js';
import { clock, collect, diff, from, missing, snapshot } from './diff-events.js';

describe('sampleDiffs, cadence', () => {
  it('takes tick k after every input up to t_k, flags the book until it is in sync, carries E and receive time', async () => {
    const requests: SnapshotRequest[] = [];
    const statuses: StreamStatus[] = [];
    const samples = await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 2, 1005, [['98', '1']]),
          snapshot('A', 2, 1150, [['99', '1']], [['101', '1']]),
          diff('A', 3, 3, 1300, [['100', '2']]), // exactly at tick 1300: that tick includes it
          clock(1401),
        ]),
        {
          depth: 5,
          intervalMs: 100,
          tickStartMs: 1000,
          symbols: ['A'],
          onSnapshotNeeded: (r) => requests.push(r),
          onStatus: (s) => statuses.push(s),
        },
      ),
    );
    expect(samples.map((s) => [s.timeMs, s.status, s.lastUpdateId])).toEqual([
      [1000, 'unsynced', null],
      [1100, 'unsynced', null],
      [1200, 'ok', 2],
      [1300, 'ok', 3],
      [1400, 'ok', 3],
    ]);
    expect(samples[0]?.reason).toBe('waiting for the first diff-depth event');
    expect(samples[1]?.reason).toBe('waiting for a REST depth snapshot');
    // Synced from the snapshot alone (the buffered diff 1..2 was inside it): its receive time, no E on spot.
    expect(samples[2]).toMatchObject({ receiveTimeMs: 1150, exchangeTimeMs: null, bids: [[99, 1]] });
    expect(samples[3]).toMatchObject({
      receiveTimeMs: 1300,
      exchangeTimeMs: 1299,
      bids: [
        [100, 2],
        [99, 1],
      ],
    });
    expect(samples[1]?.bids).toEqual([]);
    expect(requests).toEqual([{ symbol: 'A', reason: 'sync', localTimeMs: 1005 }]);
    expect(statuses.map((s) => [s.symbol, s.status])).toEqual([['A', 'synced']]);
  });

  it('stops at tickEndMs and passes trades on before later ticks', async () => {
    const trade = {
      type: 'trade' as const,
      exchange: 'binance',
      market: 'spot' as const,
      symbol: 'A',
      tradeId: 1,
      price: 100,
      qty: 1,
      buyerIsMaker: false,
      exchangeTimeMs: 1149,
      localTimeMs: 1150,
    };
    const out: string[] = [];
    for await (const s of sampleDiffs(from<DiffSamplerInput>([clock(1001), trade, clock(1301)]), {
      depth: 5,
      intervalMs: 100,
      tickStartMs: 1000,
      tickEndMs: 1250,
      symbols: ['A'],
    })) {
      out.push('type' in s ? `trade@${s.localTimeMs}` : `tick@${s.timeMs}`);
    }
    expect(out).toEqual(['tick@1000', 'tick@1100', 'trade@1150', 'tick@1200']);
  });

  it('keeps a gap in one symbol away from the others', async () => {
    const statuses: StreamStatus[] = [];
    const samples = await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 1, 1001),
          diff('B', 1, 1, 1002),
          snapshot('A', 1, 1003),
          snapshot('B', 1, 1004),
          diff('A', 2, 2, 1050),
          diff('B', 2, 2, 1060),
          diff('A', 5, 5, 1150), // A missed 3..4
          diff('B', 3, 3, 1160),
          diff('B', 4, 4, 1260),
          clock(1301),
        ]),
        {
          depth: 5,
          intervalMs: 100,
          tickStartMs: 1000,
          symbols: ['A', 'B'],
          onStatus: (s) => statuses.push(s),
        },
      ),
    );
    const rows = (symbol: string): unknown[] =>
      samples.filter((s) => s.symbol === symbol).map((s) => [s.timeMs, s.status, s.lastUpdateId]);
    expect(rows('A')).toEqual([
      [1000, 'unsynced', null],
      [1100, 'ok', 2],
      [1200, 'unsynced', null],
      [1300, 'unsynced', null],
    ]);
    expect(rows('B')).toEqual([
      [1000, 'unsynced', null],
      [1100, 'ok', 2],
      [1200, 'ok', 3],
      [1300, 'ok', 4],
    ]);
    expect(samples.find((s) => s.symbol === 'A' && s.timeMs === 1200)?.reason).toMatch(/^gap: symbol=A/);
    expect(statuses.map((s) => `${s.symbol}:${s.status}`)).toEqual(['A:synced', 'B:synced', 'A:gap']);
  });

  it('restarts a symbol whose stream was lost, until a new snapshot syncs it', async () => {
    const samples = await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 1, 1001),
          snapshot('A', 1, 1002),
          missing('A', 1050),
          diff('A', 9, 9, 1150),
          snapshot('A', 9, 1160),
          clock(1201),
        ]),
        { depth: 5, intervalMs: 100, tickStartMs: 1000, symbols: ['A'] },
      ),
    );
    expect(samples.map((s) => [s.timeMs, s.status, s.reason])).toEqual([
      [1000, 'unsynced', 'waiting for the first diff-depth event'],
      [1100, 'unsynced', 'disconnected: test'],
      [1200, 'ok', ''],
    ]);
  });
});

describe('sampleDiffs, event mode', () => {
  it('gives one sample per diff at its receive time', async () => {
    const samples = await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 1, 1001),
          snapshot('A', 1, 1002),
          diff('A', 2, 2, 1003, [['99', '3']]),
          clock(5000),
          diff(
            'A',
            3,
            3,
            5001,
            [],
            [
              ['101', '0'],
              ['102', '4'],
            ],
          ),
        ]),
        { sample: 'event', depth: 5, intervalMs: 100 },
      ),
    );
    expect(samples.map((s) => [s.timeMs, s.status, s.lastUpdateId])).toEqual([
      [1001, 'unsynced', null],
      [1003, 'ok', 2],
      [5001, 'ok', 3],
    ]);
    expect(samples[2]?.asks).toEqual([[102, 4]]);
  });
});

describe('DiffBookKeeper decisions', () => {
  it('rebuilds from a snapshot that arrives while in sync: seamless when older, forward when newer', async () => {
    const statuses: StreamStatus[] = [];
    const samples = await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 2, 1001, [['98', '1']]),
          snapshot(
            'A',
            2,
            1002,
            [
              ['99', '1'],
              ['98', '1'],
            ],
            [['101', '1']],
          ),
          diff('A', 3, 4, 1010, [['99', '2']]),
          diff('A', 5, 5, 1020, [['97', '7']]),
          // Older than the book (id 5): rebuilt from it plus the diffs kept since, same book.
          snapshot(
            'A',
            4,
            1030,
            [
              ['99', '2'],
              ['98', '1'],
            ],
            [['101', '1']],
          ),
          clock(1101),
          // Newer (id 9): the stream has not delivered 6..9 yet; the book moves to the snapshot.
          snapshot('A', 9, 1150, [['99', '5']], [['101', '1']]),
          diff('A', 6, 8, 1160, [['99', '1']]), // inside the snapshot: ignored
          diff('A', 9, 10, 1170, [['100', '1']]),
          clock(1201),
        ]),
        { depth: 5, intervalMs: 100, tickStartMs: 1100, onStatus: (s) => statuses.push(s) },
      ),
    );
    expect(samples.map((s) => [s.timeMs, s.status, s.lastUpdateId])).toEqual([
      [1100, 'ok', 5],
      [1200, 'ok', 10],
    ]);
    expect(samples[0]?.bids).toEqual([
      [99, 2],
      [98, 1],
      [97, 7],
    ]);
    expect(samples[1]?.bids).toEqual([
      [100, 1],
      [99, 5],
    ]);
    expect(statuses.map((s) => s.status)).toEqual(['synced', 'resync']);
    expect(statuses[1]?.detail).toContain('lastUpdateId=9 is ahead of the book at 5');
  });

  it('asks for a refresh when a truncated side’s known window shrinks below what features read', async () => {
    const requests: SnapshotRequest[] = [];
    await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 1, 1001),
          snapshot(
            'A',
            1,
            1002,
            [
              ['99', '1'],
              ['98', '1'],
              ['97', '1'],
            ],
            [
              ['101', '1'],
              ['102', '1'],
            ],
            3,
          ),
          diff('A', 2, 2, 1003, [['99', '0']]), // 2 known bids left: still enough
          diff('A', 3, 3, 1004, [['98', '0']]), // 1 known bid: refresh
          diff('A', 4, 4, 1005, [['96', '1']]), // beyond the window: still 1 known, asked already
        ]),
        { depth: 5, minKnownDepth: 2, onSnapshotNeeded: (r) => requests.push(r) },
      ),
    );
    expect(requests.map((r) => [r.reason, r.localTimeMs])).toEqual([
      ['sync', 1001],
      ['refresh', 1004],
    ]);
  });

  it('checks a quiet synced symbol against a snapshot and reports a stream that fell behind', async () => {
    const requests: SnapshotRequest[] = [];
    const statuses: StreamStatus[] = [];
    const behind: string[] = [];
    const samples = await collect(
      sampleDiffs(
        from<DiffSamplerInput>([
          diff('A', 1, 1, 1001),
          snapshot('A', 1, 1002),
          clock(2501),
          snapshot('A', 7, 2600),
          clock(2701),
        ]),
        {
          depth: 5,
          intervalMs: 100,
          tickStartMs: 1100,
          staleAfterMs: 1000,
          onSnapshotNeeded: (r) => requests.push(r),
          onStatus: (s) => statuses.push(s),
          onStreamBehind: (s) => behind.push(s),
        },
      ),
    );
    // The check runs at the first tick more than 1000 ms after the last data (1002): tick 2100.
    expect(requests.map((r) => [r.reason, r.localTimeMs])).toEqual([
      ['sync', 1001],
      ['stale', 2100],
    ]);
    expect(statuses.map((s) => s.status)).toEqual(['synced', 'stale', 'resync']);
    expect(behind).toEqual(['A']);
    expect(samples.at(-1)).toMatchObject({ status: 'ok', lastUpdateId: 7 });
    expect(samples.every((s) => s.status === 'ok')).toBe(true);
  });
});

/** A random diff stream over a true book with faults, and its truth by update id. */
interface Scenario {
  readonly inputs: DiffSamplerInput[];
  readonly truth: Map<string, { bids: Map<string, string>; asks: Map<string, string> }>;
}

type Step =
  | {
      kind: 'change';
      symbol: 0 | 1;
      levels: [side: 0 | 1, price: number, qty: number][];
      emit: 'send' | 'drop' | 'dup' | 'swap';
    }
  | { kind: 'snapshot'; symbol: 0 | 1 }
  | { kind: 'missing'; symbol: 0 | 1 }
  | { kind: 'clock' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      symbol: fc.constantFrom(0 as const, 1 as const),
      levels: fc.array(
        fc.tuple(
          fc.constantFrom(0 as const, 1 as const),
          fc.integer({ min: 0, max: 9 }),
          fc.integer({ min: 0, max: 3 }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      emit: fc.constantFrom(
        'send' as const,
        'send' as const,
        'send' as const,
        'drop' as const,
        'dup' as const,
        'swap' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('snapshot' as const),
      symbol: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('missing' as const),
      symbol: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const) }) },
);

function scenario(steps: readonly Step[], gaps: readonly number[]): Scenario {
  const names = ['A', 'B'];
  const books = names.map(() => ({ bids: new Map<string, string>(), asks: new Map<string, string>() }));
  const ids = [0, 0];
  const truth = new Map<string, { bids: Map<string, string>; asks: Map<string, string> }>();
  const inputs: DiffSamplerInput[] = [];
  let t = 1000;
  let held: DiffSamplerInput | null = null;
  const level = (side: 0 | 1, p: number): string => String(side === 0 ? 90 + p : 101 + p);
  steps.forEach((step, i) => {
    t += gaps[i % gaps.length] as number;
    if (step.kind === 'clock') {
      inputs.push(clock(t));
      return;
    }
    const s = step.symbol;
    const symbol = names[s] as string;
    const book = books[s] as { bids: Map<string, string>; asks: Map<string, string> };
    if (step.kind === 'missing') {
      inputs.push(missing(symbol, t));
      return;
    }
    if (step.kind === 'snapshot') {
      const sorted = (m: Map<string, string>, desc: boolean): PriceLevel[] =>
        [...m.entries()].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
      inputs.push(snapshot(symbol, ids[s] as number, t, sorted(book.bids, true), sorted(book.asks, false)));
      return;
    }
    const bids: PriceLevel[] = [];
    const asks: PriceLevel[] = [];
    for (const [side, p, q] of step.levels) {
      const price = level(side, p);
      (side === 0 ? bids : asks).push([price, String(q)]);
      const m = side === 0 ? book.bids : book.asks;
      if (q === 0) m.delete(price);
      else m.set(price, String(q));
    }
    const U = (ids[s] as number) + 1;
    ids[s] = U + step.levels.length - 1;
    truth.set(`${symbol}:${ids[s]}`, { bids: new Map(book.bids), asks: new Map(book.asks) });
    const d = diff(symbol, U, ids[s] as number, t, bids, asks);
    if (held !== null) {
      inputs.push({ ...held, localTimeMs: t } as DiffSamplerInput);
      held = null;
    }
    if (step.emit === 'drop') return;
    if (step.emit === 'swap') {
      held = d;
      return;
    }
    inputs.push(d);
    if (step.emit === 'dup') inputs.push({ ...d });
  });
  t += 1;
  inputs.push(missing('A', t, 'stopped'), missing('B', t, 'stopped'));
  return { inputs, truth };
}

describe('sampleDiffs properties', () => {
  it('gives the same samples with or without clock marks, and every ok sample is the true book at its id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 5, maxLength: 120 }),
        fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 7 }),
        fc.constantFrom<'cadence' | 'event'>('cadence', 'event'),
        async (steps, gaps, sample) => {
          const { inputs, truth } = scenario(steps, gaps);
          const options = { sample, depth: 10, intervalMs: 50, tickStartMs: 1000, symbols: ['A', 'B'] };
          const live = await collect(sampleDiffs(from(inputs), options));
          const replay = await collect(sampleDiffs(from(inputs.filter((e) => e.type !== 'clock')), options));
          expect(replay).toEqual(live);
          for (const s of live) {
            if (s.status !== 'ok') continue;
            const book = truth.get(`${s.symbol}:${s.lastUpdateId}`) ?? {
              bids: new Map<string, string>(),
              asks: new Map<string, string>(),
            };
            const top = (m: Map<string, string>, desc: boolean): [number, number][] =>
              [...m.entries()]
                .map(([p, q]): [number, number] => [Number(p), Number(q)])
                .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
                .slice(0, 10);
            expect(s.bids).toEqual(top(book.bids, true));
            expect(s.asks).toEqual(top(book.asks, false));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
