/** Every injectable fault is observable from a client's side of the wire. */
import { afterEach, describe, expect, it } from 'vitest';
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
  sim = await startSimulator({ autoTick: false, clock: () => now, seed: 8, ...options });
  return sim;
}

async function connect(path: string): Promise<TestWsClient> {
  const c = await TestWsClient.open(`${sim?.wsUrl ?? ''}${path}`);
  clients.push(c);
  return c;
}

function run(ms: number): void {
  for (let t = 0; t < ms; t += 100) {
    now += 100;
    sim?.tick();
  }
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim?.close();
  sim = undefined;
});

interface Diff {
  U: number;
  u: number;
}

/** Positions where an event does not continue its predecessor (spot: U = prev u + 1). */
function breaks(events: readonly Diff[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < events.length; i++) if (events[i]?.U !== (events[i - 1]?.u ?? 0) + 1) out.push(i);
  return out;
}

async function diffs(c: TestWsClient, n: number): Promise<Diff[]> {
  await c.until(() => c.raw.length >= n, `${n} diff events`);
  return c.messages as Diff[];
}

describe('websocket faults', () => {
  it('gap: one diff event is skipped, so U jumps past prev u + 1 once', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@depth@100ms');
    run(500);
    s.faults.gap({ count: 1, symbol: 'BTCUSDT' });
    run(1500);
    const events = await diffs(c, 18);
    const b = breaks(events);
    expect(b).toHaveLength(1);
    const i = b[0] as number;
    expect(events[i]?.U).toBeGreaterThan((events[i - 1]?.u ?? 0) + 1);
    expect(s.faults.fired('ws-gap')).toBe(1);
  });

  it('duplicate: the same event arrives twice', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@depth@100ms');
    run(300);
    s.faults.duplicate();
    run(1000);
    const events = await diffs(c, 13);
    const dupes = events.filter((e, i) => i > 0 && e.U === events[i - 1]?.U && e.u === events[i - 1]?.u);
    expect(dupes).toHaveLength(1);
  });

  it('reorder: an event arrives after its successor', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@depth@100ms');
    run(300);
    s.faults.reorder();
    run(1000);
    const events = await diffs(c, 13);
    const swapped = events.filter((e, i) => i > 0 && e.u < (events[i - 1]?.u ?? 0));
    expect(swapped).toHaveLength(1);
    // nothing lost: sorted, the ids chain again
    expect(breaks([...events].sort((a, b) => a.u - b.u))).toEqual([]);
  });

  it('delay: data stalls (order kept) while control replies still flow', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@depth@100ms');
    s.faults.delayWs(300);
    run(300);
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 9 });
    await c.until(() => c.raw.length >= 4, 'reply and stalled events');
    expect(JSON.parse(c.raw[0] ?? '')).toEqual({ result: ['btcusdt@depth@100ms'], id: 9 }); // overtook the stalled data
    expect(breaks(c.messages.slice(1) as Diff[])).toEqual([]);
  });

  it('malformed: a message is truncated JSON', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@depth@100ms');
    s.faults.malformedWs({ count: 1 });
    run(500);
    await c.until(() => c.raw.length >= 5, 'events');
    expect(() => JSON.parse(c.raw[0] ?? '')).toThrow(SyntaxError);
    expect(c.raw[0]).toMatch(/^\{"e":"depthUpdate"/);
    expect(() => JSON.parse(c.raw[1] ?? '')).not.toThrow();
  });

  it('drop: a connection is cut on its next data message, or all at once on demand', async () => {
    const s = await start();
    const a = await connect('/ws/btcusdt@depth@100ms');
    s.faults.dropWs({ symbol: 'BTCUSDT' });
    run(200);
    expect((await a.closed).code).toBe(1006);
    const b = await connect('/ws/ethusdt@depth');
    const c = await connect('/ws');
    await b.until(() => s.connectionCount() === 2, 'two connections');
    expect(s.faults.dropConnections()).toBe(2);
    expect((await b.closed).code).toBe(1006);
    expect((await c.closed).code).toBe(1006);
  });

  it('probabilistic gaps are reproducible for a seed', async () => {
    const gapsFor = async (): Promise<number[]> => {
      const s = await start({ faults: 'ws-gap:0.3' });
      const c = await connect('/ws/btcusdt@depth@100ms');
      run(3000);
      await settle(50);
      await c.until(
        () => (c.messages.at(-1) as Diff | undefined)?.u === s.market.lastUpdateId('BTCUSDT'),
        'last event',
      );
      const b = breaks(c.messages as Diff[]);
      c.close();
      await s.close();
      return b;
    };
    const first = await gapsFor();
    expect(first.length).toBeGreaterThan(2);
    expect(await gapsFor()).toEqual(first);
  });
});

describe('REST faults', () => {
  const depth = '/api/v3/depth?symbol=BTCUSDT&limit=10';

  it('5xx, 429 and 418 answers, then normal service', async () => {
    const s = await start();
    s.faults.serverError(503).serverError(502).tooManyRequests(7).ban(9);
    const a = await fetch(s.url + depth);
    expect(a.status).toBe(503);
    expect(await a.json()).toMatchObject({ code: -1001 });
    const b = await fetch(s.url + depth);
    expect(b.status).toBe(502);
    expect(await b.text()).toMatch(/^<html>/);
    const c = await fetch(s.url + depth);
    expect(c.status).toBe(429);
    expect(c.headers.get('retry-after')).toBe('7');
    expect(await c.json()).toMatchObject({ code: -1003 });
    const d = await fetch(s.url + depth);
    expect(d.status).toBe(418);
    expect(d.headers.get('retry-after')).toBe('9');
    expect((await fetch(s.url + depth)).status).toBe(200);
  });

  it('faults target depth by default, or any endpoint when asked', async () => {
    const s = await start({ faults: 'rest-5xx:1x' });
    expect((await fetch(`${s.url}/api/v3/exchangeInfo`)).status).toBe(200);
    expect((await fetch(s.url + depth)).status).toBe(503);
    s.faults.add('rest-5xx:endpoint=*');
    expect((await fetch(`${s.url}/api/v3/time`)).status).toBe(503);
  });

  it('malformed: truncated JSON with status 200', async () => {
    const s = await start();
    s.faults.malformedRest();
    const r = await fetch(s.url + depth);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/^\{"lastUpdateId":/);
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  it('crossed: the snapshot’s best bid is above its best ask', async () => {
    const s = await start();
    s.faults.crossedSnapshot();
    const d = (await (await fetch(s.url + depth)).json()) as {
      bids: [string, string][];
      asks: [string, string][];
    };
    expect(Number(d.bids[0]?.[0])).toBeGreaterThan(Number(d.asks[0]?.[0]));
    const ok = (await (await fetch(s.url + depth)).json()) as typeof d;
    expect(Number(ok.bids[0]?.[0])).toBeLessThan(Number(ok.asks[0]?.[0]));
  });

  it('slow: an answer is delayed behind a later request', async () => {
    const s = await start();
    s.faults.slowRest(300);
    const order: string[] = [];
    const slow = fetch(s.url + depth).then(async (r) => {
      order.push(`slow ${r.status}`);
      await r.text();
    });
    await settle(20);
    const fast = fetch(`${s.url}/api/v3/depth?symbol=ETHUSDT&limit=5`).then(async (r) => {
      order.push(`fast ${r.status}`);
      await r.text();
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['fast 200', 'slow 200']);
  });

  it('hang: a request is never answered (the client must time out); the server still closes', async () => {
    const s = await start();
    s.faults.hangRest();
    const hung = fetch(s.url + depth, { signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow(/abort|timeout/i);
    expect((await fetch(s.url + depth)).status).toBe(200);
    s.faults.hangRest();
    const pending = fetch(s.url + depth).then(
      () => 'answered',
      () => 'failed',
    );
    await settle(50);
    await s.close();
    expect(await pending).toBe('failed');
  });
});
