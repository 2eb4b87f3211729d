import { describe, expect, it } from 'vitest';
import type { BookDiff, BookSnapshot, PriceLevel } from '../../../src/events.js';
import { BookSyncError, ConfigError } from '../../../src/errors.js';
import { DepthSync, asksForSnapshot } from '../../../src/core/book/depth-sync.js';

const SYMBOL = 'BTCUSDT';

function diff(
  U: number,
  u: number,
  bids: PriceLevel[] = [],
  asks: PriceLevel[] = [],
  pu: number | null = null,
  symbol = SYMBOL,
): BookDiff {
  return {
    type: 'diff',
    exchange: 'binance',
    market: pu === null ? 'spot' : 'futures',
    symbol,
    firstUpdateId: U,
    finalUpdateId: u,
    prevFinalUpdateId: pu,
    bids,
    asks,
    exchangeTimeMs: 0,
    localTimeMs: 0,
  };
}

function snapshot(
  lastUpdateId: number | null,
  bids: PriceLevel[] = [['100', '1']],
  asks: PriceLevel[] = [['101', '1']],
  depthLimit: number | null = null,
): BookSnapshot {
  return {
    type: 'snapshot',
    exchange: 'binance',
    market: 'spot',
    symbol: SYMBOL,
    lastUpdateId,
    bids,
    asks,
    depthLimit,
    exchangeTimeMs: null,
    localTimeMs: 0,
  };
}

describe('DepthSync, spot rules', () => {
  it('buffers, asks for a snapshot, drops what it holds, applies the rest, then goes live', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    expect(sync.state).toBe('starting');
    const first = sync.onDiff(diff(1, 3, [['99', '1']]));
    expect(first).toEqual({ type: 'fetch-snapshot', firstUpdateId: 1 });
    expect(asksForSnapshot(first)).toBe(true);
    expect(sync.onDiff(diff(4, 6, [['100', '2']]))).toEqual({ type: 'buffered', buffered: 2 });
    expect(sync.state).toBe('awaiting-snapshot');
    // Step 4 drops 1..3 (u <= 4); 4..6 holds lastUpdateId + 1 = 5 and is applied.
    expect(sync.onSnapshot(snapshot(4))).toEqual({ type: 'synced', updateId: 6, applied: 1, dropped: 1 });
    expect(sync.state).toBe('synced');
    expect(sync.book.levels('bids')).toEqual([['100', '2']]);
    expect(sync.onDiff(diff(7, 8, [], [['101', '0']]))).toEqual({ type: 'applied', updateId: 8 });
    expect(sync.book.askCount).toBe(0);
    // "u < book's update id: ignore the event".
    expect(sync.onDiff(diff(5, 6, [['1', '1']]))).toEqual({ type: 'ignored', finalUpdateId: 6, updateId: 8 });
    expect(sync.book.bidCount).toBe(1);
    expect(sync.counters).toEqual({
      applied: 2,
      ignored: 2,
      gaps: 0,
      resyncs: 0,
      staleSnapshots: 0,
      syncs: 1,
    });
  });

  it('discards the book on a gap and restarts with the diff that showed it', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(10, 12));
    sync.onSnapshot(snapshot(11));
    expect(sync.updateId).toBe(12);
    const gap = sync.onDiff(diff(14, 15, [['50', '1']]));
    expect(gap).toMatchObject({ type: 'gap', field: 'U', expected: 13, got: 14, firstUpdateId: 14 });
    expect(asksForSnapshot(gap)).toBe(true);
    expect(gap.type === 'gap' && gap.detail).toContain('symbol=BTCUSDT');
    expect(sync.state).toBe('awaiting-snapshot');
    expect(sync.updateId).toBeNull();
    expect(sync.book.bidCount + sync.book.askCount).toBe(0);
    expect(sync.bufferedCount).toBe(1);
    // The snapshot must now reach the restarted buffer's first U.
    expect(sync.onSnapshot(snapshot(13))).toEqual({
      type: 'snapshot-too-old',
      lastUpdateId: 13,
      firstUpdateId: 14,
    });
    expect(sync.onSnapshot(snapshot(14, [], []))).toEqual({
      type: 'synced',
      updateId: 15,
      applied: 1,
      dropped: 0,
    });
    expect(sync.book.levels('bids')).toEqual([['50', '1']]);
    expect(sync.counters).toMatchObject({ gaps: 1, resyncs: 1, staleSnapshots: 1, syncs: 2 });
  });

  it('applies an event that overlaps the book id (U <= id + 1 <= u)', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 5));
    sync.onSnapshot(snapshot(5));
    expect(sync.onDiff(diff(3, 9, [['100', '7']]))).toEqual({ type: 'applied', updateId: 9 });
    expect(sync.book.levels('bids')).toEqual([['100', '7']]);
  });

  it('refetches a snapshot older than the first buffered U (step 3), even by one id', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(10, 12));
    expect(sync.onSnapshot(snapshot(9))).toEqual({
      type: 'snapshot-too-old',
      lastUpdateId: 9,
      firstUpdateId: 10,
    });
    expect(sync.state).toBe('awaiting-snapshot');
  });

  it('binance-us accepts a snapshot one id before the first U (U <= lastUpdateId+1 <= u)', () => {
    const sync = new DepthSync({ symbol: SYMBOL, rules: 'binance-us' });
    sync.onDiff(diff(10, 12, [['100', '3']]));
    expect(sync.onSnapshot(snapshot(9))).toEqual({ type: 'synced', updateId: 12, applied: 1, dropped: 0 });
    expect(sync.book.levels('bids')).toEqual([['100', '3']]);
    const us = new DepthSync({ symbol: SYMBOL, rules: 'binance-us' });
    us.onDiff(diff(10, 12));
    expect(us.onSnapshot(snapshot(8)).type).toBe('snapshot-too-old');
  });

  it('is synced at the snapshot when every buffered diff is older', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 2));
    sync.onDiff(diff(3, 4));
    expect(sync.onSnapshot(snapshot(20))).toEqual({ type: 'synced', updateId: 20, applied: 0, dropped: 2 });
    // The next diff must still connect: U <= 21.
    expect(sync.onDiff(diff(20, 20)).type).toBe('ignored');
    expect(sync.onDiff(diff(21, 22))).toEqual({ type: 'applied', updateId: 22 });
  });

  it('finds a gap inside the buffer and keeps the diffs after it', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 2));
    sync.onDiff(diff(3, 4));
    sync.onDiff(diff(7, 8)); // 5..6 missing
    sync.onDiff(diff(9, 9));
    const gap = sync.onSnapshot(snapshot(3));
    expect(gap).toMatchObject({ type: 'gap', expected: 5, got: 7, firstUpdateId: 7 });
    expect(sync.bufferedCount).toBe(2);
    expect(sync.onSnapshot(snapshot(8)).type).toBe('synced');
    expect(sync.updateId).toBe(9);
  });

  it('holds a snapshot that comes before any diff', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    expect(sync.onSnapshot(snapshot(5))).toEqual({ type: 'snapshot-held', lastUpdateId: 5 });
    expect(sync.onSnapshot(snapshot(4))).toEqual({ type: 'snapshot-held', lastUpdateId: 4 });
    // The newer (5) was kept: 6..7 connects.
    expect(sync.onDiff(diff(5, 7))).toEqual({ type: 'synced', updateId: 7, applied: 1, dropped: 0 });
    const late = new DepthSync({ symbol: SYMBOL });
    late.onSnapshot(snapshot(5));
    expect(late.onDiff(diff(8, 9))).toEqual({ type: 'snapshot-too-old', lastUpdateId: 5, firstUpdateId: 8 });
  });

  it('ignores a snapshot once synced', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 1));
    sync.onSnapshot(snapshot(1));
    expect(sync.onSnapshot(snapshot(50))).toEqual({
      type: 'snapshot-ignored',
      lastUpdateId: 50,
      updateId: 1,
    });
  });

  it('restarts when the buffer overflows', () => {
    const sync = new DepthSync({ symbol: SYMBOL, maxBufferedDiffs: 2 });
    sync.onDiff(diff(1, 1));
    sync.onDiff(diff(2, 2));
    const overflow = sync.onDiff(diff(3, 3));
    expect(overflow).toEqual({ type: 'buffer-overflow', dropped: 2, firstUpdateId: 3 });
    expect(asksForSnapshot(overflow)).toBe(true);
    expect(sync.bufferedCount).toBe(1);
    expect(sync.onSnapshot(snapshot(2)).type).toBe('snapshot-too-old');
    expect(sync.counters.resyncs).toBe(1);
  });

  it('restart() returns to step 1 and keeps the counters', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 1));
    sync.onSnapshot(snapshot(1));
    sync.restart();
    expect(sync.state).toBe('starting');
    expect(sync.updateId).toBeNull();
    expect(sync.book.bidCount).toBe(0);
    expect(sync.counters.syncs).toBe(1);
    expect(sync.onDiff(diff(40, 41)).type).toBe('fetch-snapshot');
  });

  it('throws on routing and configuration mistakes', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    expect(() => sync.onDiff(diff(1, 1, [], [], null, 'ETHUSDT'))).toThrow(BookSyncError);
    sync.onDiff(diff(1, 1));
    expect(() => sync.onSnapshot(snapshot(null))).toThrow(BookSyncError);
    expect(() => new DepthSync({ symbol: SYMBOL, maxBufferedDiffs: 0 })).toThrow(ConfigError);
  });
});

describe('DepthSync, futures rules', () => {
  it('drops u < lastUpdateId, applies the event holding it, then follows pu', () => {
    const sync = new DepthSync({ symbol: SYMBOL, rules: 'futures' });
    expect(sync.onDiff(diff(100, 110, [], [], 90)).type).toBe('fetch-snapshot');
    sync.onDiff(diff(115, 120, [['99', '1']], [], 110));
    sync.onDiff(diff(125, 130, [['98', '1']], [], 120));
    // Drops 100..110; 115..120 holds 118 (U <= 118 <= u).
    expect(sync.onSnapshot(snapshot(118))).toEqual({ type: 'synced', updateId: 130, applied: 2, dropped: 1 });
    expect(sync.onDiff(diff(140, 150, [], [], 130))).toEqual({ type: 'applied', updateId: 150 });
    // A copy of an applied event is ignored, not a gap.
    expect(sync.onDiff(diff(140, 150, [], [], 130)).type).toBe('ignored');
    const gap = sync.onDiff(diff(170, 180, [], [], 160));
    expect(gap).toMatchObject({ type: 'gap', field: 'pu', expected: 150, got: 160, firstUpdateId: 170 });
    expect(sync.state).toBe('awaiting-snapshot');
  });

  it('keeps an event whose u equals lastUpdateId (futures drop only u < lastUpdateId)', () => {
    const sync = new DepthSync({ symbol: SYMBOL, rules: 'futures' });
    sync.onDiff(diff(100, 110, [['99', '5']], [], 90));
    expect(sync.onSnapshot(snapshot(110, [], []))).toEqual({
      type: 'synced',
      updateId: 110,
      applied: 1,
      dropped: 0,
    });
    expect(sync.onDiff(diff(111, 112, [], [], 110)).type).toBe('applied');
  });

  it('treats a first event starting after lastUpdateId as a gap', () => {
    const sync = new DepthSync({ symbol: SYMBOL, rules: 'futures' });
    sync.onDiff(diff(100, 110, [], [], 90));
    sync.onDiff(diff(120, 130, [], [], 115)); // pu says 111..115 went missing
    const gap = sync.onSnapshot(snapshot(112));
    expect(gap).toMatchObject({ type: 'gap', field: 'U', expected: 112, got: 120 });
  });

  it('refuses a diff without pu', () => {
    const sync = new DepthSync({ symbol: SYMBOL, rules: 'futures' });
    sync.onDiff(diff(100, 110, [], [], 90));
    sync.onSnapshot(snapshot(105));
    expect(() => sync.onDiff(diff(111, 112))).toThrow(BookSyncError);
  });
});

describe('DepthSync.refresh', () => {
  it('renews the known window without leaving sync', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 2));
    // A 2-level snapshot: bids are known down to 99 only.
    sync.onSnapshot(
      snapshot(
        2,
        [
          ['100', '1'],
          ['99', '1'],
        ],
        [['101', '1']],
        2,
      ),
    );
    expect(sync.book.windowEdge('bids')).toBe('99');
    sync.onDiff(diff(3, 4, [['100', '0']]));
    expect(sync.book.knownBidDepth).toBe(1);
    expect(sync.refresh()).toEqual({ type: 'fetch-snapshot', firstUpdateId: 3 });
    expect(sync.isRefreshing).toBe(true);
    expect(sync.refresh()).toBeNull();
    // The live book keeps going while the snapshot is on its way.
    expect(sync.onDiff(diff(5, 6, [['98.5', '2']]))).toEqual({ type: 'applied', updateId: 6 });
    expect(sync.state).toBe('synced');
    // Snapshot at 5 (inside 5..6): rebuilt from it, then 5..6 replayed.
    const done = sync.onSnapshot(
      snapshot(
        5,
        [
          ['99', '1'],
          ['98', '4'],
          ['97', '1'],
        ],
        [['101', '1']],
        3,
      ),
    );
    expect(done).toEqual({ type: 'synced', updateId: 6, applied: 1, dropped: 1 });
    expect(sync.isRefreshing).toBe(false);
    expect(sync.book.windowEdge('bids')).toBe('97');
    expect(sync.book.levels('bids', 'known')).toEqual([
      ['99', '1'],
      ['98.5', '2'],
      ['98', '4'],
      ['97', '1'],
    ]);
    // Replayed diffs are not counted twice.
    expect(sync.counters).toMatchObject({ applied: 2, syncs: 2, gaps: 0 });
  });

  it('holds a snapshot ahead of the live book until the stream reaches it', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 2));
    sync.onSnapshot(snapshot(2, [], []));
    sync.refresh();
    expect(sync.onSnapshot(snapshot(5, [['50', '1']], []))).toEqual({
      type: 'snapshot-held',
      lastUpdateId: 5,
    });
    expect(sync.onDiff(diff(3, 4, [['40', '1']])).type).toBe('applied');
    expect(sync.book.levels('bids')).toEqual([['40', '1']]);
    expect(sync.onDiff(diff(5, 6, [['60', '1']]))).toEqual({
      type: 'synced',
      updateId: 6,
      applied: 1,
      dropped: 1,
    });
    expect(sync.book.levels('bids')).toEqual([
      ['60', '1'],
      ['50', '1'],
    ]);
  });

  it('keeps the live book and asks again when the snapshot is too old', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    sync.onDiff(diff(1, 2));
    sync.onSnapshot(snapshot(2, [['10', '1']], []));
    sync.onDiff(diff(3, 4));
    sync.refresh();
    sync.onDiff(diff(5, 6));
    expect(sync.onSnapshot(snapshot(2, [], []))).toEqual({
      type: 'snapshot-too-old',
      lastUpdateId: 2,
      firstUpdateId: 3,
    });
    expect(sync.state).toBe('synced');
    expect(sync.isRefreshing).toBe(true);
    expect(sync.book.levels('bids')).toEqual([['10', '1']]);
  });

  it('accepts a futures snapshot inside the last applied event', () => {
    const sync = new DepthSync({ symbol: SYMBOL, rules: 'futures' });
    sync.onDiff(diff(100, 110, [], [], 90));
    sync.onSnapshot(snapshot(105, [], []));
    sync.onDiff(diff(120, 130, [['5', '1']], [], 110));
    expect(sync.refresh()).toEqual({ type: 'fetch-snapshot', firstUpdateId: 120 });
    expect(sync.onSnapshot(snapshot(125, [['5', '1']], []))).toEqual({
      type: 'synced',
      updateId: 130,
      applied: 1,
      dropped: 0,
    });
    expect(sync.onDiff(diff(131, 140, [], [], 130)).type).toBe('applied');
  });

  it('does nothing unless synced', () => {
    const sync = new DepthSync({ symbol: SYMBOL });
    expect(sync.refresh()).toBeNull();
    sync.onDiff(diff(1, 1));
    expect(sync.refresh()).toBeNull();
  });
});
