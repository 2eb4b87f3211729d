import { afterEach, describe, expect, it } from 'vitest';
import type { ClientOptions } from 'ws';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/exchanges/simulator/server.js';
import { TestWsClient, settle } from './test-ws-client.js';

const T0 = 1_700_000_000_000;
let now = T0;
let sim: RunningSimulator | undefined;
const clients: TestWsClient[] = [];

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  now = T0;
  sim = await startSimulator({ autoTick: false, clock: () => now, seed: 21, ...options });
  return sim;
}

async function connect(path: string, options?: ClientOptions): Promise<TestWsClient> {
  const c = await TestWsClient.open(`${sim?.wsUrl ?? ''}${path}`, options);
  clients.push(c);
  return c;
}

/** Moves the venue clock forward in `stepMs` ticks. */
function run(ms: number, stepMs = 100): void {
  for (let t = 0; t < ms; t += stepMs) {
    now += stepMs;
    sim?.tick();
  }
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim?.close();
  sim = undefined;
});

interface DiffEvent {
  e: string;
  E: number;
  s: string;
  U: number;
  u: number;
  pu?: number;
  T?: number;
  b: [string, string][];
  a: [string, string][];
}

type Levels = Map<string, string>;

function breaks(events: readonly DiffEvent[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < events.length; i++) if (events[i]?.U !== (events[i - 1]?.u ?? 0) + 1) out.push(i);
  return out;
}

function apply(side: Levels, levels: [string, string][]): void {
  for (const [p, q] of levels) {
    if (Number(q) === 0) side.delete(p);
    else side.set(p, q);
  }
}

describe('simulator websocket streams (spot)', () => {
  it('serves raw diff events that chain U = previous u + 1, aggregated per interval', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@depth');
    run(20_000);
    await c.until(() => c.raw.length >= 15, 'diff events');
    const events = c.messages as DiffEvent[];
    for (const ev of events) {
      expect(Object.keys(ev)).toEqual(['e', 'E', 's', 'U', 'u', 'b', 'a']);
      expect(ev.e).toBe('depthUpdate');
      expect(ev.s).toBe('BTCUSDT');
      expect(ev.E % 1000).toBe(0); // 1000 ms cadence
    }
    expect(breaks(events)).toEqual([]);
    // one event aggregates many updates: u - U + 1 exceeds its level count somewhere
    expect(events.some((ev) => ev.u - ev.U + 1 > ev.b.length + ev.a.length)).toBe(true);
    expect(events.at(-1)?.u).toBe(s.market.lastUpdateId('BTCUSDT'));
  });

  it('a REST snapshot plus buffered diffs rebuilds exactly the venue book (Binance sync procedure)', async () => {
    const s = await start();
    const c = await connect('/ws/ethusdt@depth@100ms');
    run(500); // events buffered before the snapshot
    const snap = (await (await fetch(`${s.url}/api/v3/depth?symbol=ETHUSDT&limit=5000`)).json()) as {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    };
    expect(snap.bids.length).toBeLessThan(5000); // the whole book, so the rebuild is complete
    run(3_000);
    await c.until(
      () => (c.messages.at(-1) as DiffEvent | undefined)?.u === s.market.lastUpdateId('ETHUSDT'),
      'last event',
    );
    const events = c.messages as DiffEvent[];
    expect(events[0]?.U).toBeLessThanOrEqual(snap.lastUpdateId); // step 3: snapshot not older than the first event
    const bids: Levels = new Map(snap.bids);
    const asks: Levels = new Map(snap.asks);
    let id = snap.lastUpdateId;
    let applied = 0;
    for (const ev of events) {
      if (ev.u <= id) continue; // step 4: drop what the snapshot already holds
      expect(ev.U).toBeLessThanOrEqual(id + 1); // first applied: lastUpdateId + 1 in [U; u]; then U = prev u + 1
      apply(bids, ev.b);
      apply(asks, ev.a);
      id = ev.u;
      applied++;
      const truth = s.market.bookAt('ETHUSDT', id);
      expect(bids).toEqual(new Map(truth.bids));
      expect(asks).toEqual(new Map(truth.asks));
    }
    expect(applied).toBeGreaterThan(10);
  });

  it('wraps combined streams and serves partial depth and trades', async () => {
    const s = await start();
    const c = await connect(
      '/stream?streams=btcusdt@depth5/solusdt@depth10@100ms/ethusdt@trade/ethusdt@aggTrade',
    );
    run(3_000);
    await c.until(() => c.raw.length > 40, 'combined messages');
    const msgs = c.messages as Array<{ stream: string; data: Record<string, unknown> }>;
    const streams = new Set(msgs.map((m) => m.stream));
    expect(streams).toEqual(
      new Set(['btcusdt@depth5', 'solusdt@depth10@100ms', 'ethusdt@trade', 'ethusdt@aggTrade']),
    );
    const partial = msgs.find((m) => m.stream === 'btcusdt@depth5')?.data as {
      lastUpdateId: number;
      bids: unknown[];
      asks: unknown[];
    };
    expect(Object.keys(partial)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect(partial.bids).toHaveLength(5);
    const truth = s.market.bookAt('BTCUSDT', partial.lastUpdateId);
    expect(partial).toEqual({
      lastUpdateId: truth.lastUpdateId,
      bids: truth.bids.slice(0, 5),
      asks: truth.asks.slice(0, 5),
    });
    const sol = msgs.filter((m) => m.stream === 'solusdt@depth10@100ms');
    expect(sol.length).toBeGreaterThanOrEqual(29); // every 100 ms, changed or not
    const trade = msgs.find((m) => m.stream === 'ethusdt@trade')?.data;
    expect(Object.keys(trade ?? {})).toEqual(['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
    expect(trade?.['e']).toBe('trade');
    expect(trade?.['s']).toBe('ETHUSDT');
    const agg = msgs.find((m) => m.stream === 'ethusdt@aggTrade')?.data;
    expect(Object.keys(agg ?? {})).toEqual(['e', 'E', 's', 'a', 'p', 'q', 'f', 'l', 'T', 'm', 'M']);
    const tradeIds = msgs.filter((m) => m.stream === 'ethusdt@trade').map((m) => m.data['t'] as number);
    for (let i = 1; i < tradeIds.length; i++) expect(tradeIds[i]).toBe((tradeIds[i - 1] ?? 0) + 1);
  });

  it('accepts bare /ws and /ws/<anything>, sends nothing until SUBSCRIBE, and answers control messages', async () => {
    await start();
    const bare = await connect('/ws');
    const odd = await connect('/ws/12345');
    run(2_000);
    await settle();
    expect(bare.raw).toEqual([]);
    expect(odd.raw).toEqual([]);

    bare.send({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'ethusdt@aggTrade'], id: 1 });
    await bare.until(() => bare.raw.length === 1, 'subscribe reply');
    expect(JSON.parse(bare.raw[0] ?? '')).toEqual({ result: null, id: 1 });
    run(500);
    await bare.until(() => bare.raw.length > 3, 'data');
    const first = JSON.parse(bare.raw[1] ?? '') as { e?: string; stream?: string };
    expect(first.stream).toBeUndefined(); // raw payloads on /ws
    expect(['depthUpdate', 'aggTrade']).toContain(first.e);

    bare.send({ method: 'LIST_SUBSCRIPTIONS', id: 'list1' });
    await bare.until(() => bare.raw.some((r) => r.includes('"list1"')), 'list reply');
    expect(JSON.parse(bare.raw.find((r) => r.includes('"list1"')) ?? '')).toEqual({
      result: ['btcusdt@depth@100ms', 'ethusdt@aggTrade'],
      id: 'list1',
    });

    bare.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth@100ms', 'ethusdt@aggTrade'], id: 3 });
    await bare.until(() => bare.raw.some((r) => r === '{"result":null,"id":3}'), 'unsubscribe reply');
    await settle();
    const count = bare.raw.length;
    run(1_000);
    await settle();
    expect(bare.raw.length).toBe(count);

    odd.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 4 });
    odd.send({ method: 'SUBSCRIBE', params: ['solusdt@depth'], id: 5 });
    await odd.until(() => odd.raw.length === 2, 'replies');
    run(1_000);
    await odd.until(() => odd.raw.length === 3, 'wrapped event');
    expect((JSON.parse(odd.raw[2] ?? '') as { stream: string }).stream).toBe('solusdt@depth');
  });

  it('answers malformed control messages with Binance-style errors', async () => {
    await start({ maxIncomingPerSecond: 100 });
    const c = await connect('/ws');
    c.send('{not json');
    c.send({ method: 'SUBSCRIB', params: [], id: 1 });
    c.send({ params: [], id: 2 });
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@depth'], id: { bad: true } });
    c.send({ method: 'GET_PROPERTY', params: ['colour'], id: 6 });
    await c.until(() => c.raw.length === 5, 'error replies');
    const replies = c.messages as Array<{ error: { code: number; msg: string }; id: unknown }>;
    expect(replies[0]?.error.code).toBe(3);
    expect(replies[1]?.error.code).toBe(2);
    expect(replies[1]?.error.msg).toMatch(/unknown variant `SUBSCRIB`, expected one of `SUBSCRIBE`/);
    expect(replies[1]?.id).toBe(1);
    expect(replies[2]?.error.msg).toMatch(/missing field `method`/);
    expect(replies[3]?.error.msg).toMatch(/request ID must be an unsigned integer/);
    expect(replies[4]?.error).toEqual({ code: 0, msg: 'Unknown property' });
  });

  it('limits streams per connection', async () => {
    await start({ maxStreamsPerConnection: 3 });
    const c = await connect('/ws/btcusdt@depth/ethusdt@depth');
    c.send({ method: 'SUBSCRIBE', params: ['solusdt@depth', 'solusdt@trade'], id: 1 });
    c.send({ method: 'SUBSCRIBE', params: ['solusdt@depth'], id: 2 });
    await c.until(() => c.raw.length === 2, 'replies');
    expect((c.messages[0] as { error: { code: number } }).error.code).toBe(2);
    expect(c.messages[1]).toEqual({ result: null, id: 2 });
  });

  it('disconnects a connection sending more than 5 messages a second', async () => {
    await start();
    const c = await connect('/ws');
    for (let i = 0; i < 6; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(c.raw.length).toBe(5);
  });

  it('pings, and drops a connection that does not answer with a pong', async () => {
    // Pongs count as incoming messages (5/s on Binance); a 25 ms ping needs a looser limit here.
    await start({ pingIntervalMs: 25, pongTimeoutMs: 120, maxIncomingPerSecond: 1000 });
    const good = await connect('/ws');
    const silent = await connect('/ws', { autoPong: false });
    const closed = await silent.closed;
    expect(closed.code).toBe(1006); // terminated, no close frame
    expect(silent.pings).toBeGreaterThan(0);
    await good.until(() => good.pings > silent.pings + 2, 'more pings');
    expect(good.ws.readyState).toBe(good.ws.OPEN);
  });

  it('announces serverShutdown on demand and closes connections at their lifetime', async () => {
    await start({ maxConnectionLifetimeMs: 300 });
    const raw = await connect('/ws/btcusdt@depth');
    const combined = await connect('/stream?streams=btcusdt@depth');
    expect(sim?.faults.serverShutdown()).toBe(2);
    for (const c of [raw, combined]) {
      await c.until(() => c.raw.length === 1, 'serverShutdown');
      expect(JSON.parse(c.raw[0] ?? '')).toEqual({ e: 'serverShutdown', E: now });
    }
    expect((await raw.closed).code).toBe(1001);
    expect((await combined.closed).code).toBe(1001);
    await raw.until(() => sim?.connectionCount() === 0, 'server-side close');
  });
});

describe('simulator in real time', () => {
  it('drives the market and the streams from its own timer by default', async () => {
    sim = await startSimulator({ seed: 2, tickMs: 20 });
    const c = await connect('/ws/btcusdt@depth@100ms');
    await c.until(() => c.raw.length >= 4, 'live diff events');
    const events = c.messages as DiffEvent[];
    expect(breaks(events)).toEqual([]);
  });
});

describe('simulator websocket streams (USD-M futures)', () => {
  it('serves @depth every 250 ms with T and pu = previous u', async () => {
    const s = await start({ market: 'futures' });
    const c = await connect('/stream?streams=btcusdt@depth/btcusdt@depth5@100ms/btcusdt@aggTrade');
    run(5_000, 50);
    await c.until(() => c.raw.length > 30, 'events');
    const msgs = c.messages as Array<{ stream: string; data: DiffEvent & Record<string, unknown> }>;
    const diffs = msgs.filter((m) => m.stream === 'btcusdt@depth').map((m) => m.data);
    for (const d of diffs) {
      expect(Object.keys(d)).toEqual(['e', 'E', 'T', 's', 'U', 'u', 'pu', 'b', 'a']);
      expect(d.E % 250).toBe(0);
    }
    for (let i = 1; i < diffs.length; i++) expect(diffs[i]?.pu).toBe(diffs[i - 1]?.u);
    expect(diffs.some((d, i) => i > 0 && d.U > (d.pu ?? 0) + 1)).toBe(true); // U is not pu + 1 on USD-M
    const partial = msgs.find((m) => m.stream === 'btcusdt@depth5@100ms')?.data;
    expect(partial?.['e']).toBe('depthUpdate');
    expect(partial?.b).toHaveLength(5);
    const agg = msgs.find((m) => m.stream === 'btcusdt@aggTrade')?.data;
    expect(Object.keys(agg ?? {})).toEqual(['e', 'E', 's', 'a', 'p', 'q', 'f', 'l', 'T', 'm']);
    expect(s.market.marketType).toBe('futures');
  });
});
