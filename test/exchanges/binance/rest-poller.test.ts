/**
 * The REST poller against the simulated exchange on 127.0.0.1 (Binance's wire format, weights, headers,
 * fault injection). Assertions are on recorded tick times, reasons and counts, never on wall-clock
 * durations; each run lasts well under a second or two.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, IpBannedError, UnknownSymbolError } from '../../../src/errors.js';
import { BinanceRestClient } from '../../../src/exchanges/binance/rest-client.js';
import { pollDepth } from '../../../src/exchanges/binance/rest-poller.js';
import type { PollDepthOptions, PolledEvent, PollStats } from '../../../src/exchanges/binance/rest-poller.js';
import { startSimulator } from '../../../src/exchanges/simulator/server.js';
import type { RunningSimulator, SimulatorOptions } from '../../../src/exchanges/simulator/server.js';
import { sleep } from '../../../src/net/sleep.js';

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A simulator with room for fast test cadences (the poller reads the limit from its exchangeInfo). */
async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ seed: 43, weightLimitPerMinute: 600_000, ...options });
  running.push(sim);
  return sim;
}

function options(sim: RunningSimulator, extra: Partial<PollDepthOptions> = {}): PollDepthOptions {
  return {
    baseUrl: sim.url,
    exchange: 'binance',
    symbols: ['BTCUSDT', 'ETHUSDT'],
    intervalMs: 100,
    depthLimit: 20,
    // Generous tolerance: a loaded test machine must not turn on-time ticks into "late" ones.
    lateToleranceMs: 90,
    backoff: { baseMs: 5, maxMs: 20 },
    random: () => 0.5,
    ...extra,
  };
}

async function collect(
  iterable: AsyncIterable<PolledEvent>,
  onEvent?: (event: PolledEvent) => Promise<void> | void,
): Promise<{ events: PolledEvent[]; error: unknown }> {
  const events: PolledEvent[] = [];
  try {
    for await (const event of iterable) {
      events.push(event);
      await onEvent?.(event);
    }
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

/** Checks the cadence invariant: one event per (tick, symbol), in order, tick k at t0 + k·interval exactly. */
function expectExactCadence(
  events: readonly PolledEvent[],
  symbols: readonly string[],
  intervalMs: number,
): void {
  const t0 = events[0]?.tickTimeMs ?? Number.NaN;
  events.forEach((event, i) => {
    const tick = Math.floor(i / symbols.length);
    expect(event.tickIndex).toBe(tick);
    expect(event.tickTimeMs).toBe(t0 + tick * intervalMs);
    expect(event.symbol).toBe(symbols[i % symbols.length]);
  });
}

const row = (e: PolledEvent): string =>
  `${e.tickIndex}:${e.symbol}:${e.type === 'snapshot' ? 'ok' : e.reason.split(':')[0]}`;

describe('pollDepth against the simulator', () => {
  it('yields a snapshot per tick and symbol, tagged with exact tick times', async () => {
    const sim = await simulator();
    let progress: PollStats | undefined;
    const poll = pollDepth(options(sim, { durationMs: 500, onProgress: (s) => (progress = s) }));
    const { events, error } = await collect(poll);
    expect(error).toBeUndefined();
    expect(events).toHaveLength(10);
    expectExactCadence(events, ['BTCUSDT', 'ETHUSDT'], 100);
    for (const e of events) {
      if (e.type !== 'snapshot') throw new Error(`unexpected ${row(e)}`);
      expect([e.exchange, e.market, e.depthLimit, e.exchangeTimeMs]).toEqual(['binance', 'spot', 20, null]);
      expect(e.bids).toHaveLength(20);
      expect(e.asks).toHaveLength(20);
      expect(Number(e.bids[0]?.[0])).toBeLessThan(Number(e.asks[0]?.[0]));
      expect(e.requestTimeMs).toBeGreaterThanOrEqual(e.tickTimeMs);
      expect(e.localTimeMs).toBeGreaterThanOrEqual(e.requestTimeMs ?? Number.POSITIVE_INFINITY);
    }
    // The market moves: update ids grow tick by tick for each symbol.
    const btcIds = events
      .filter((e) => e.symbol === 'BTCUSDT')
      .map((e) => (e.type === 'snapshot' ? e.lastUpdateId : 0));
    expect([...btcIds].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(btcIds);
    expect(poll.stats).toMatchObject({ ticks: 5, rows: 10, missing: 0, errors: 0 });
    expect(poll.stats.usedWeight1m).toBeGreaterThanOrEqual(20 + 10 * 5); // exchangeInfo + 10 depth requests
    expect(progress).toEqual(poll.stats);
  });

  it('polls USD-M futures with the exchange time from the body', async () => {
    const sim = await simulator({ market: 'futures' });
    const { events } = await collect(
      pollDepth(options(sim, { market: 'futures', symbols: ['BTCUSDT'], depthLimit: 5, durationMs: 200 })),
    );
    expect(events.map(row)).toEqual(['0:BTCUSDT:ok', '1:BTCUSDT:ok']);
    const first = events[0];
    expect(
      first?.type === 'snapshot' && [first.market, first.bids.length, typeof first.exchangeTimeMs],
    ).toEqual(['futures', 5, 'number']);
  });

  it('keeps the cadence under slow answers: late answers become missing rows, later ticks stay on time', async () => {
    const sim = await simulator();
    sim.faults.slowRest(300, { count: 2, symbol: 'ETHUSDT' });
    const { events } = await collect(pollDepth(options(sim, { durationMs: 500 })));
    expectExactCadence(events, ['BTCUSDT', 'ETHUSDT'], 100);
    expect(events.map(row)).toEqual([
      '0:BTCUSDT:ok',
      '0:ETHUSDT:timeout',
      '1:BTCUSDT:ok',
      '1:ETHUSDT:timeout',
      '2:BTCUSDT:ok',
      '2:ETHUSDT:ok',
      '3:BTCUSDT:ok',
      '3:ETHUSDT:ok',
      '4:BTCUSDT:ok',
      '4:ETHUSDT:ok',
    ]);
    const missed = events[1];
    expect(missed?.type === 'missing' && missed.reason).toMatch(/no time to retry before the next tick/);
    expect(missed?.type === 'missing' && missed.requestTimeMs).toBeGreaterThanOrEqual(
      missed?.tickTimeMs ?? 0,
    );
  });

  it('skips ticks the process reached too late instead of bunching them', async () => {
    const sim = await simulator();
    const { events } = await collect(
      pollDepth(options(sim, { symbols: ['BTCUSDT'], durationMs: 600, lateToleranceMs: 50 })),
      async (e) => {
        // A consumer that stalls for 270 ms after tick 1: ticks 2 (due +200) and 3 (due +300) are reached at
        // least 170 and 70 ms late.
        if (e.tickIndex === 1) await sleep(270);
      },
    );
    expectExactCadence(events, ['BTCUSDT'], 100);
    expect(events.slice(0, 4).map(row)).toEqual([
      '0:BTCUSDT:ok',
      '1:BTCUSDT:ok',
      '2:BTCUSDT:late',
      '3:BTCUSDT:late',
    ]);
    for (const e of events) {
      if (e.type === 'snapshot') expect((e.requestTimeMs ?? Infinity) - e.tickTimeMs).toBeLessThanOrEqual(50);
    }
  });

  it('honours 429 Retry-After: no requests until then, missing rows saying so, then recovers', async () => {
    const sim = await simulator();
    sim.faults.tooManyRequests(1, { count: 1, symbol: 'BTCUSDT' });
    const poll = pollDepth(options(sim, { symbols: ['BTCUSDT'], durationMs: 1500 }));
    const { events, error } = await collect(poll);
    expect(error).toBeUndefined();
    expectExactCadence(events, ['BTCUSDT'], 100);
    const first = events[0];
    if (first?.type !== 'missing') throw new Error('tick 0 should be rate-limited');
    const until = /no requests until (\S+)$/.exec(first.reason)?.[1];
    expect(first.reason).toMatch(/^rate-limited \(HTTP 429\): no requests until /);
    const untilMs = Date.parse(until ?? '');
    expect(untilMs - (first.localTimeMs ?? 0)).toBeLessThanOrEqual(1000);
    for (const e of events.slice(1)) {
      // A tick is skipped exactly when its request would have gone before Retry-After ran out.
      if (e.type === 'missing') {
        expect(e.reason).toBe(`rate-limited: no requests until ${until} (HTTP 429 Retry-After)`);
        expect(e.tickTimeMs).toBeLessThan(untilMs);
      } else {
        expect(e.requestTimeMs).toBeGreaterThanOrEqual(untilMs);
      }
    }
    expect(events.filter((e) => e.type === 'missing').length).toBeGreaterThanOrEqual(9);
    expect(events.at(-1)?.type).toBe('snapshot');
    expect(sim.faults.fired('rest-429')).toBe(1);
    expect(poll.stats.rateLimitedUntilMs).toBeNull();
  });

  it('stops on 418: yields the tick that was banned, then throws IpBannedError saying until when', async () => {
    const sim = await simulator();
    const { events, error } = await collect(pollDepth(options(sim, { durationMs: 2000 })), (e) => {
      if (e.tickIndex === 1 && e.symbol === 'ETHUSDT') sim.faults.ban(120, { count: 1, symbol: 'BTCUSDT' });
    });
    expect(error).toBeInstanceOf(IpBannedError);
    const banned = error as IpBannedError;
    expect(banned.message).toContain(`banned until ${new Date(banned.bannedUntilMs).toISOString()}`);
    expect(events.slice(0, 4).map(row)).toEqual([
      '0:BTCUSDT:ok',
      '0:ETHUSDT:ok',
      '1:BTCUSDT:ok',
      '1:ETHUSDT:ok',
    ]);
    expect(events).toHaveLength(6);
    const ban = events[4];
    expect(ban?.type === 'missing' && ban.reason).toBe(
      `IP banned (HTTP 418) until ${new Date(banned.bannedUntilMs).toISOString()}`,
    );
    // ETHUSDT's request of the same tick either answered first or was cancelled by the ban.
    const eth = events[5];
    if (eth?.type === 'missing') expect(eth.reason).toMatch(/^cancelled: the run stopped on IpBannedError/);
  });

  it('retries a hung request within the tick when the timeout leaves room, and gives up when it does not', async () => {
    const sim = await simulator();
    sim.faults.hangRest({ count: 1, symbol: 'ETHUSDT' });
    const poll = pollDepth(options(sim, { intervalMs: 300, timeoutMs: 60, durationMs: 300 }));
    const { events } = await collect(poll);
    expect(events.map(row)).toEqual(['0:BTCUSDT:ok', '0:ETHUSDT:ok']);
    const eth = events[1];
    // The answer came from the retry, sent after the first attempt's 60 ms timeout.
    expect((eth?.requestTimeMs ?? 0) - (eth?.tickTimeMs ?? 0)).toBeGreaterThanOrEqual(60);
    expect(poll.stats).toMatchObject({ errors: 1, retries: 1 });

    sim.faults.hangRest({ probability: 1, symbol: 'ETHUSDT' });
    const again = await collect(pollDepth(options(sim, { intervalMs: 300, timeoutMs: 60, durationMs: 300 })));
    const gaveUp = again.events[1];
    expect(gaveUp?.type === 'missing' && gaveUp.reason).toMatch(
      /^timeout: no complete answer within \d+ ms \((after 4 attempts|no time to retry before the next tick)\)$/,
    );
    expect(again.events[0]?.type).toBe('snapshot');
  });

  it('retries 5xx and reports a server that keeps failing', async () => {
    const sim = await simulator();
    sim.faults.serverError(503, { count: 1, symbol: 'BTCUSDT' });
    sim.faults.serverError(502, { probability: 1, symbol: 'ETHUSDT' });
    const poll = pollDepth(options(sim, { intervalMs: 200, durationMs: 200 }));
    const { events } = await collect(poll);
    expect(events.map((e) => e.type)).toEqual(['snapshot', 'missing']);
    const eth = events[1];
    expect(eth?.type === 'missing' && eth.reason).toMatch(
      /^HTTP 502 from GET \S+symbol=ETHUSDT\S*: server error, the outcome is unknown \(.*Bad Gateway.*\) \(after 4 attempts\)$/,
    );
    expect(poll.stats).toMatchObject({ errors: 5, retries: 4 });
  });

  it('turns malformed JSON into a missing row with the reason, and carries on', async () => {
    const sim = await simulator();
    sim.faults.malformedRest({ count: 1, symbol: 'ETHUSDT' });
    const { events } = await collect(pollDepth(options(sim, { durationMs: 200 })));
    expect(events.map(row)).toEqual([
      '0:BTCUSDT:ok',
      '0:ETHUSDT:parse error',
      '1:BTCUSDT:ok',
      '1:ETHUSDT:ok',
    ]);
    const bad = events[1];
    expect(bad?.type === 'missing' && bad.reason).toMatch(
      /^parse error: invalid JSON from GET .*symbol=ETHUSDT/,
    );
  });

  it('fails at start on an unknown symbol, suggesting close matches', async () => {
    const sim = await simulator();
    const { events, error } = await collect(pollDepth(options(sim, { symbols: ['BTCUSDT', 'ETHUSTD'] })));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(UnknownSymbolError);
    expect((error as UnknownSymbolError).symbol).toBe('ETHUSTD');
    expect((error as UnknownSymbolError).suggestions[0]).toBe('ETHUSDT');
    expect((error as Error).message).toMatch(/^unknown symbol ETHUSTD; did you mean ETHUSDT/);
  });

  it('refuses a cadence over the venue’s weight budget before any depth request', async () => {
    const sim = await simulator({ weightLimitPerMinute: 1000 });
    const { events, error } = await collect(pollDepth(options(sim, { durationMs: 1000 })));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      '2 symbols × weight 5 every 100 ms = 6000/min > 800/min (80% of 1000); the fastest interval that fits is 750 ms',
    );
    // Only exchangeInfo (weight 20) was charged to this IP, then this call (weight 1).
    const client = new BinanceRestClient({ baseUrl: sim.url });
    const time = await client.get('/api/v3/time');
    await client.close();
    expect(time.usedWeight1m).toBe(21);
  });
});
