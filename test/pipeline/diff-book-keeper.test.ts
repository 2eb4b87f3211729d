import { describe, expect, it } from 'vitest';
import type { StreamStatus } from '../../src/events.js';
import { DiffBookKeeper, type SnapshotRequest } from '../../src/pipeline/diff-book-keeper.js';
import { diff, snapshot } from './diff-events.js';

function keeper(): { k: DiffBookKeeper; requests: SnapshotRequest[]; statuses: StreamStatus[] } {
  const requests: SnapshotRequest[] = [];
  const statuses: StreamStatus[] = [];
  const k = new DiffBookKeeper({
    depth: 5,
    onSnapshotNeeded: (r) => requests.push(r),
    onStatus: (s) => statuses.push(s),
  });
  return { k, requests, statuses };
}

describe('DiffBookKeeper and impossible snapshots', () => {
  it('refuses a crossed snapshot while syncing, asks for another, and syncs on the next good one', () => {
    const { k, requests, statuses } = keeper();
    k.onDiff(diff('BTCUSDT', 10, 12, 1000, [['99', '2']]));
    expect(requests.map((r) => r.reason)).toEqual(['sync']);
    // Best bid 102 above best ask 101: no venue rests that book.
    k.onSnapshot(
      snapshot(
        'BTCUSDT',
        11,
        1010,
        [
          ['102', '1'],
          ['99', '1'],
        ],
        [['101', '1']],
      ),
    );
    expect(k.isSynced('BTCUSDT')).toBe(false);
    expect(k.stats.refusedSnapshots).toBe(1);
    expect(requests.map((r) => r.reason)).toEqual(['sync', 'sync']);
    expect(statuses.at(-1)).toMatchObject({ status: 'resync' });
    expect(statuses.at(-1)?.detail).toContain('crossed (best bid 102 above best ask 101)');
    expect(k.sample('BTCUSDT', 1015)).toMatchObject({ status: 'unsynced' });
    expect(k.sample('BTCUSDT', 1015).reason).toContain('refused');

    k.onSnapshot(snapshot('BTCUSDT', 11, 1020, [['99', '1']], [['101', '1']]));
    expect(k.isSynced('BTCUSDT')).toBe(true);
    const s = k.sample('BTCUSDT', 1030);
    expect(s.status).toBe('ok');
    expect(s.crossed).toBe(false);
    expect(k.book('BTCUSDT')?.levels('bids')).toEqual([['99', '2']]);
  });

  it('refuses a locked snapshot compared exactly ("101.0" is "101")', () => {
    const { k } = keeper();
    k.onDiff(diff('BTCUSDT', 10, 12, 1000));
    k.onSnapshot(snapshot('BTCUSDT', 11, 1010, [['101.0', '1']], [['101', '1']]));
    expect(k.stats.refusedSnapshots).toBe(1);
    expect(k.isSynced('BTCUSDT')).toBe(false);
  });

  it('keeps the book in hand when a refresh snapshot is crossed, and asks again', () => {
    const { k, requests } = keeper();
    k.onDiff(diff('BTCUSDT', 10, 12, 1000));
    k.onSnapshot(snapshot('BTCUSDT', 11, 1010));
    expect(k.isSynced('BTCUSDT')).toBe(true);
    k.onDiff(diff('BTCUSDT', 13, 14, 1020, [['98', '3']]));
    const before = k.book('BTCUSDT')?.levels('bids');
    k.onSnapshot(snapshot('BTCUSDT', 14, 1030, [['105', '1']], [['101', '1']]));
    expect(k.isSynced('BTCUSDT')).toBe(true);
    expect(k.book('BTCUSDT')?.levels('bids')).toEqual(before);
    expect(k.stats.rebuilds).toBe(0);
    expect(requests.at(-1)?.reason).toBe('refresh');
  });

  it('takes a snapshot with an empty side (nothing to cross)', () => {
    const { k } = keeper();
    k.onDiff(diff('BTCUSDT', 10, 12, 1000));
    k.onSnapshot(snapshot('BTCUSDT', 11, 1010, [['99', '1']], []));
    expect(k.isSynced('BTCUSDT')).toBe(true);
    expect(k.stats.refusedSnapshots).toBe(0);
  });
});

describe('DiffBookKeeper recent diffs', () => {
  it('keeps every diff while a refresh is outstanding, so a late snapshot still rebuilds seamlessly', () => {
    const requests: SnapshotRequest[] = [];
    const k = new DiffBookKeeper({ depth: 2, onSnapshotNeeded: (r) => requests.push(r) });
    k.onDiff(diff('BTCUSDT', 10, 10, 0));
    // Truncated bids (2 levels at limit 2): the window ends at 99.
    k.onSnapshot(
      snapshot(
        'BTCUSDT',
        10,
        10,
        [
          ['100', '1'],
          ['99', '1'],
        ],
        [['101', '1']],
        2,
      ),
    );
    expect(k.isSynced('BTCUSDT')).toBe(true);
    // 100 goes: one known bid left, fewer than the 2 features read, so a refresh is asked for.
    k.onDiff(diff('BTCUSDT', 11, 11, 1000, [['100', '0']]));
    expect(requests.map((r) => r.reason)).toEqual(['sync', 'refresh']);
    // Ten seconds of diffs (far past the 2 s kept otherwise) before the snapshot from id 11 arrives.
    for (let id = 12; id <= 111; id++)
      k.onDiff(diff('BTCUSDT', id, id, 1000 + (id - 11) * 100, [[`9${id % 9}`, '2']]));
    const before = k.book('BTCUSDT')?.levels('bids');
    k.onSnapshot(
      snapshot(
        'BTCUSDT',
        11,
        12_000,
        [
          ['99', '1'],
          ['98', '1'],
          ['97', '1'],
        ],
        [['101', '1']],
        3,
      ),
    );
    expect(k.stats.rebuilds).toBe(1);
    expect(k.stats.jumps).toBe(0);
    expect(k.updateId('BTCUSDT')).toBe(111);
    // The rebuilt book holds the diffs on top of the deeper snapshot.
    const after = k.book('BTCUSDT')?.levels('bids') ?? [];
    expect(after.slice(0, (before ?? []).length)).toEqual(before);
  });
});
