import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitError, UnknownSymbolError } from '../../../src/errors.js';
import { BinanceRestClient } from '../../../src/exchanges/binance/rest-client.js';
import {
  SnapshotScheduler,
  type SnapshotSchedulerOptions,
} from '../../../src/exchanges/binance/ws-snapshot-scheduler.js';
import { startSimulator, type RunningSimulator } from '../../../src/exchanges/simulator/server.js';
import { after } from './ws-harness.js';

let sim: RunningSimulator | undefined;
let scheduler: SnapshotScheduler | undefined;
let client: BinanceRestClient | undefined;

afterEach(async () => {
  scheduler?.close();
  await client?.close();
  await sim?.close();
  sim = scheduler = client = undefined;
});

interface Seen {
  readonly answers: string[];
  readonly failures: { symbol: string; error: unknown; retryInMs: number | null }[];
}

async function setUp(
  options: Partial<SnapshotSchedulerOptions> = {},
): Promise<{ scheduler: SnapshotScheduler; seen: Seen; venue: RunningSimulator }> {
  const venue = await startSimulator({ seed: 5 });
  sim = venue;
  client = new BinanceRestClient({ baseUrl: venue.url });
  const seen: Seen = { answers: [], failures: [] };
  scheduler = new SnapshotScheduler({
    client,
    depthPath: '/api/v3/depth',
    exchange: 'binance',
    market: 'spot',
    limit: 500,
    weight: 25,
    weightLimitPerMinute: 6000,
    now: Date.now,
    random: () => 0.5,
    backoff: { baseMs: 20, maxMs: 40 },
    onSnapshot: (snapshot) => seen.answers.push(`${snapshot.symbol}@${snapshot.lastUpdateId ?? '?'}`),
    onFailure: (symbol, error, retryInMs) => seen.failures.push({ symbol, error, retryInMs }),
    ...options,
  });
  return { scheduler, seen, venue };
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await after(10);
}

describe('SnapshotScheduler', () => {
  it('merges requests for a symbol and answers each symbol once', async () => {
    const { scheduler: s, seen } = await setUp();
    s.request('BTCUSDT', 'sync');
    s.request('BTCUSDT', 'refresh');
    s.request('ETHUSDT', 'stale');
    s.request('BTCUSDT', 'sync');
    await until(() => s.pending === 0);
    expect(seen.answers.map((a) => a.split('@')[0]).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(s.stats).toMatchObject({ sent: 2, received: 2, failed: 0, weightLastMinute: 50 });
  });

  it('spends at most the safety fraction of the weight limit per minute', async () => {
    // 80% of 100 = 80 per minute: two requests of weight 25 and 25 fit (50), a third (75) too, a fourth not.
    const { scheduler: s, seen } = await setUp({ weightLimitPerMinute: 100 });
    for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']) s.request(symbol, 'sync');
    await until(() => seen.answers.length === 3);
    s.request('BTCUSDT', 'refresh');
    await after(150);
    expect(s.stats.sent).toBe(3);
    expect(s.pending).toBe(1);
  });

  it('sends syncing snapshots before refreshes and checks', async () => {
    const { scheduler: s, seen } = await setUp({ maxInFlight: 1 });
    s.request('BTCUSDT', 'sync'); // goes at once
    s.request('ETHUSDT', 'refresh');
    s.request('SOLUSDT', 'sync');
    await until(() => seen.answers.length === 3);
    expect(seen.answers.map((a) => a.split('@')[0])).toEqual(['BTCUSDT', 'SOLUSDT', 'ETHUSDT']);
  });

  it('retries 5xx with backoff, waits out a 429, and reports an unknown symbol as fatal', async () => {
    const { scheduler: s, seen, venue } = await setUp();
    venue.faults.serverError(503, { count: 2 });
    s.request('BTCUSDT', 'sync');
    await until(() => seen.answers.length === 1);
    expect(seen.failures.map((f) => f.retryInMs)).toEqual([10, 20]); // 0.5 × 20, 0.5 × 40
    venue.faults.tooManyRequests(1, { count: 1 });
    s.request('ETHUSDT', 'sync');
    await until(() => seen.failures.length === 3);
    expect(seen.failures[2]?.error).toBeInstanceOf(RateLimitError);
    expect(s.stats.pausedUntilMs).not.toBeNull();
    await until(() => seen.answers.length === 2);
    expect(seen.answers[1]).toMatch(/^ETHUSDT@/);
    s.request('NOSUCHCOIN', 'sync');
    await until(() => seen.failures.length === 4);
    expect(seen.failures[3]?.error).toBeInstanceOf(UnknownSymbolError);
    expect(seen.failures[3]?.retryInMs).toBeNull();
  });
});
