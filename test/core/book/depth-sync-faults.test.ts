/**
 * Property: a "true" book evolves by atomic updates with contiguous ids; the venue groups them into diff
 * events (spot: U = previous u + 1; futures: ids skip between events and pu chains them). The stream is
 * delivered with faults (dropped, duplicated, swapped events; snapshots late, old, mid-event or
 * truncated). Whenever DepthSync says the book is current (applied / synced), it must equal the truth at
 * its update id, and a missed event must never go unnoticed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BookDiff, BookSnapshot, PriceLevel } from '../../../src/events.js';
import { DepthSync, asksForSnapshot } from '../../../src/core/book/depth-sync.js';
import type { DepthSyncAction, DepthSyncRules } from '../../../src/core/book/depth-sync.js';
import type { BookSide } from '../../../src/core/book/order-book.js';

const SYMBOL = 'TESTUSDT';
const BASE_ID = 1000;

interface Atomic {
  readonly id: number;
  readonly side: BookSide;
  readonly price: string;
  readonly qty: string;
}

type Truth = Record<BookSide, Map<string, string>>;

const bidPrice = (tick: number): string => ((950 + tick) / 10).toFixed(1);
const askPrice = (tick: number): string => ((1001 + tick) / 10).toFixed(1);
const qtyString = (q: number): string => (q === 0 ? '0.000' : (q / 7).toFixed(3));

const updateArb = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 49 }), fc.integer({ min: 0, max: 60 }));
const FAULTS = ['none', 'none', 'none', 'none', 'none', 'none', 'none', 'drop', 'dup', 'swap'] as const;
type Fault = (typeof FAULTS)[number];

const snapshotPlanArb = fc.record({
  delay: fc.integer({ min: 0, max: 6 }),
  offset: fc.integer({ min: -2, max: 4 }),
  midFraction: fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { nil: null }),
  depthLimit: fc.option(fc.integer({ min: 2, max: 25 }), { nil: null }),
});
type SnapshotPlan = { delay: number; offset: number; midFraction: number | null; depthLimit: number | null };

const scenarioArb = fc.record({
  initial: fc.array(updateArb, { maxLength: 40 }),
  events: fc.array(
    fc.record({
      updates: fc.array(updateArb, { minLength: 1, maxLength: 5 }),
      skip: fc.integer({ min: 0, max: 3 }),
    }),
    { minLength: 1, maxLength: 60, size: 'max' },
  ),
  faults: fc.array(fc.constantFrom(...FAULTS), { maxLength: 60, size: 'max' }),
  plans: fc.array(snapshotPlanArb, { minLength: 1, maxLength: 8 }),
  /** Ask for a window refresh after every n-th delivered diff. */
  refreshEvery: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
  maxBufferedDiffs: fc.option(fc.integer({ min: 2, max: 12 }), { nil: undefined, freq: 4 }),
});

function better(side: BookSide, a: string, b: string): boolean {
  return side === 'bids' ? Number(a) > Number(b) : Number(a) < Number(b);
}

function sortedSide(side: BookSide, levels: Map<string, string>): Array<[string, string]> {
  return [...levels].sort(([a], [b]) => (better(side, a, b) ? -1 : better(side, b, a) ? 1 : 0));
}

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function runScenario(rules: DepthSyncRules, s: Scenario): void {
  // ---- the truth ----
  const initial: Truth = { bids: new Map(), asks: new Map() };
  for (const [isBid, tick, q] of s.initial) {
    if (q === 0) continue;
    if (isBid) initial.bids.set(bidPrice(tick), qtyString(q));
    else initial.asks.set(askPrice(tick), qtyString(q));
  }
  const atomics: Atomic[] = [];
  const events: BookDiff[] = [];
  let prevU = BASE_ID;
  for (const e of s.events) {
    const U = prevU + 1 + (rules === 'futures' ? e.skip : 0);
    const finalLevels: Record<BookSide, Map<string, string>> = { bids: new Map(), asks: new Map() };
    e.updates.forEach(([isBid, tick, q], k) => {
      const side: BookSide = isBid ? 'bids' : 'asks';
      const price = isBid ? bidPrice(tick) : askPrice(tick);
      atomics.push({ id: U + k, side, price, qty: qtyString(q) });
      finalLevels[side].set(price, qtyString(q));
    });
    const u = U + e.updates.length - 1;
    events.push({
      type: 'diff',
      exchange: 'binance',
      market: rules === 'futures' ? 'futures' : 'spot',
      symbol: SYMBOL,
      firstUpdateId: U,
      finalUpdateId: u,
      prevFinalUpdateId: rules === 'futures' ? prevU : null,
      bids: [...finalLevels.bids],
      asks: [...finalLevels.asks],
      exchangeTimeMs: 0,
      localTimeMs: 0,
    });
    prevU = u;
  }
  const lastId = prevU;
  // Truth after each event, then any id by replaying part of one event.
  const apply = (t: Truth, a: Atomic): void => {
    if (Number(a.qty) === 0) t[a.side].delete(a.price);
    else t[a.side].set(a.price, a.qty);
  };
  const copy = (t: Truth): Truth => ({ bids: new Map(t.bids), asks: new Map(t.asks) });
  const afterEvent: Truth[] = [];
  let atomicIndex = 0;
  for (const e of events) {
    const t = copy(afterEvent[afterEvent.length - 1] ?? initial);
    for (
      ;
      atomicIndex < atomics.length && (atomics[atomicIndex] as Atomic).id <= e.finalUpdateId;
      atomicIndex++
    ) {
      apply(t, atomics[atomicIndex] as Atomic);
    }
    afterEvent.push(t);
  }
  const truthAt = (id: number): Truth => {
    const j = events.findIndex((e) => e.finalUpdateId >= id);
    if (j < 0) return afterEvent[afterEvent.length - 1] ?? initial;
    if ((events[j] as BookDiff).finalUpdateId === id) return afterEvent[j] as Truth;
    const t = copy(afterEvent[j - 1] ?? initial);
    for (const a of atomics) if (a.id >= (events[j] as BookDiff).firstUpdateId && a.id <= id) apply(t, a);
    return t;
  };

  // ---- the system under test and its checks ----
  const sync = new DepthSync({
    symbol: SYMBOL,
    rules,
    ...(s.maxBufferedDiffs !== undefined ? { maxBufferedDiffs: s.maxBufferedDiffs } : {}),
  });
  const checkBook = (): void => {
    const id = sync.updateId;
    if (id === null) expect.fail('synced without an update id');
    const truth = truthAt(id as number);
    for (const side of ['bids', 'asks'] as const) {
      const edge = sync.book.windowEdge(side);
      const known = sortedSide(side, truth[side]).filter(([p]) => edge === null || !better(side, edge, p));
      // Plain comparisons first: expect() per level would dominate the run time.
      const local = sync.book.levels(side, 'known');
      if (JSON.stringify(local) !== JSON.stringify(known)) expect(local).toEqual(known);
      // Beyond the window the book may lack levels, but what it holds must be true.
      const wrong = sync.book.levels(side).filter(([p, q]) => truth[side].get(p) !== q);
      if (wrong.length > 0) expect(wrong).toEqual([]);
    }
  };

  let plansUsed = 0;
  let delivered = 0;
  let newestDelivered = -1;
  const pending: Array<{ at: number; plan: SnapshotPlan }> = [];
  const makeSnapshot = (plan: SnapshotPlan, targetIndex: number): BookSnapshot => {
    const j = Math.max(-1, Math.min(events.length - 1, targetIndex));
    let id = BASE_ID;
    if (j >= 0) {
      const e = events[j] as BookDiff;
      id =
        plan.midFraction === null
          ? e.finalUpdateId
          : e.firstUpdateId + Math.floor(plan.midFraction * (e.finalUpdateId - e.firstUpdateId + 1));
    }
    const truth = truthAt(id);
    const cut = (side: BookSide): PriceLevel[] => {
      const all = sortedSide(side, truth[side]);
      return plan.depthLimit === null ? all : all.slice(0, plan.depthLimit);
    };
    return {
      type: 'snapshot',
      exchange: 'binance',
      market: rules === 'futures' ? 'futures' : 'spot',
      symbol: SYMBOL,
      lastUpdateId: id,
      bids: cut('bids'),
      asks: cut('asks'),
      depthLimit: plan.depthLimit,
      exchangeTimeMs: null,
      localTimeMs: 0,
    };
  };
  const handle = (action: DepthSyncAction): void => {
    if (action.type === 'applied' || action.type === 'synced') {
      expect(sync.state).toBe('synced');
      expect(action.updateId).toBe(sync.updateId);
      checkBook();
    } else if (action.type === 'gap') {
      expect(sync.state).toBe('awaiting-snapshot');
    }
    if (asksForSnapshot(action)) {
      const plan = s.plans[plansUsed++ % s.plans.length] as SnapshotPlan;
      const at = delivered + plan.delay;
      const k = pending.findIndex((p) => p.at > at);
      pending.splice(k < 0 ? pending.length : k, 0, { at, plan });
    }
  };
  const deliverDueSnapshots = (force: boolean): void => {
    // One pass: a snapshot asked for while delivering waits for the next pass.
    const due = force ? pending.length : pending.filter((p) => p.at <= delivered).length;
    for (let k = 0; k < due; k++) {
      const { plan } = pending.shift() as { plan: SnapshotPlan };
      handle(sync.onSnapshot(makeSnapshot(plan, newestDelivered + plan.offset)));
    }
  };

  // ---- the faulty stream ----
  const order: number[] = [];
  let faulted = false;
  for (let i = 0; i < events.length; i++) {
    const fault: Fault = s.faults[i] ?? 'none';
    if (fault === 'drop') {
      faulted = true;
    } else if (fault === 'dup') {
      order.push(i, i);
    } else if (fault === 'swap' && i + 1 < events.length) {
      faulted = true;
      order.push(i + 1, i);
      i++;
    } else {
      order.push(i);
    }
  }
  for (const i of order) {
    delivered++;
    newestDelivered = Math.max(newestDelivered, i);
    handle(sync.onDiff(events[i] as BookDiff));
    if (s.refreshEvery !== null && delivered % s.refreshEvery === 0) {
      const request = sync.refresh();
      if (request !== null) handle(request);
    }
    deliverDueSnapshots(false);
  }
  for (let round = 0; round < 20 && pending.length > 0; round++) deliverDueSnapshots(true);

  if (!faulted) expect(sync.counters.gaps).toBe(0);
  if (order.length > 0 && sync.state !== 'synced') {
    // The stream is over: a snapshot of the latest truth must always bring the book in sync.
    handle(
      sync.onSnapshot(
        makeSnapshot({ delay: 0, offset: 0, midFraction: null, depthLimit: null }, events.length),
      ),
    );
    expect(sync.state).toBe('synced');
  }
  if (sync.state === 'synced') checkBook();
  expect(lastId).toBeGreaterThan(BASE_ID);
}

describe('DepthSync under stream faults', () => {
  for (const [rules, seed] of [
    ['spot', 101],
    ['futures', 202],
    ['binance-us', 303],
  ] as const) {
    it(`keeps the book equal to the truth whenever it says synced (${rules})`, () => {
      fc.assert(
        fc.property(scenarioArb, (s) => runScenario(rules, s)),
        { seed, numRuns: 300 },
      );
    });
  }

  it('notices a dropped event even when the book would look plausible', () => {
    // Spot: 11..12 is lost; 13..13 must not be applied on top of the book at 10.
    const events: BookDiff[] = [];
    const mk = (U: number, u: number, bids: PriceLevel[]): BookDiff => ({
      type: 'diff',
      exchange: 'binance',
      market: 'spot',
      symbol: SYMBOL,
      firstUpdateId: U,
      finalUpdateId: u,
      prevFinalUpdateId: null,
      bids,
      asks: [],
      exchangeTimeMs: 0,
      localTimeMs: 0,
    });
    events.push(mk(9, 10, [['1.0', '1']]), mk(13, 13, [['2.0', '1']]));
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(events[0] as BookDiff);
    sync.onSnapshot({
      type: 'snapshot',
      exchange: 'binance',
      market: 'spot',
      symbol: SYMBOL,
      lastUpdateId: 9,
      bids: [],
      asks: [],
      depthLimit: null,
      exchangeTimeMs: null,
      localTimeMs: 0,
    });
    expect(sync.onDiff(events[1] as BookDiff).type).toBe('gap');
    expect(sync.book.bidCount).toBe(0);
  });
});
