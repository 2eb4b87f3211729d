import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DashboardState,
  POINT_FIELDS,
  type DeltaMessage,
  type PointColumns,
} from '../../src/dashboard/dashboard-state.js';
import { createDepthView } from '../../src/core/book/depth-view.js';

const row = (symbol: string, t: number, obi: number, extra: Record<string, unknown> = {}) => ({
  symbol,
  time_ms: t,
  mid: 100 + t / 1000,
  obi,
  obi_ema: obi / 2,
  status: 'ok',
  ...extra,
});

describe('DashboardState', () => {
  it('coalesces everything between two pushes into one delta: every new point, the latest book only', () => {
    const s = new DashboardState({ levels: 2, heatIntervalMs: 1000 });
    for (let i = 0; i < 5; i++)
      s.addRow(row('BTCUSDT', i * 250, i / 10, { gate: i < 3 ? 'bearish' : 1, p_up: Number.NaN }));
    s.setBook(
      'BTCUSDT',
      [
        ['100.5', '2'],
        ['100.4', 3],
        ['100.3', 9],
      ],
      [[100.6, 1]],
      0,
    );
    s.setBook('BTCUSDT', [[100.5, 4]], [[100.6, 1]], 500); // too soon for a heat column
    s.setBook('BTCUSDT', [[100.5, 5]], [[100.7, 1]], 1000);
    const d = s.takeDelta()!;
    expect(d.seq).toBe(1);
    const m = d.symbols['BTCUSDT']!;
    expect(m.points!.t).toEqual([0, 250, 500, 750, 1000]);
    expect(m.points!.gate).toEqual([-1, -1, -1, 1, 1]);
    expect(m.points!.p_up).toEqual([null, null, null, null, null]);
    expect(m.book).toEqual({ t: 1000, bids: [[100.5, 5]], asks: [[100.7, 1]] });
    expect(m.heat!.t).toEqual([0, 1000]);
    expect(m.heat!.bids[0]).toEqual([
      [100.5, 2],
      [100.4, 3],
    ]);
    expect(m.last).toMatchObject({ time_ms: 1000, obi: 0.4, status: 'ok', p_up: null });
    expect(s.takeDelta()).toBeNull();
    s.addRow(row('ETHUSDT', 2000, 0));
    const d2 = s.takeDelta()!;
    expect(d2.seq).toBe(2);
    expect(Object.keys(d2.symbols)).toEqual(['ETHUSDT']);
  });

  it('keeps bounded rings and a snapshot of the last points', () => {
    const s = new DashboardState({ maxPoints: 3, heatColumns: 2, heatIntervalMs: 1 });
    const view = createDepthView(4);
    view.bidPrices[0] = 99;
    view.bidQtys[0] = 1;
    view.bidCount = 1;
    for (let i = 0; i < 10; i++) {
      s.addRow(row('X', i, 0));
      s.setBookView('X', view, i * 10);
    }
    const delta = s.takeDelta()!;
    expect(delta.symbols['X']!.points!.t).toEqual([7, 8, 9]);
    expect(delta.symbols['X']!.heat!.t).toEqual([80, 90]);
    const snap = s.snapshot();
    expect(snap.seq).toBe(1);
    expect(snap.symbols['X']!.points!.t).toEqual([7, 8, 9]);
    expect(snap.symbols['X']!.book).toEqual({ t: 90, bids: [[99, 1]], asks: [] });
    expect(s.held('X')).toEqual({ points: 3, heat: 2 });
  });

  it('ignores rows without a symbol or a time', () => {
    const s = new DashboardState();
    s.addRow({ time_ms: 1, obi: 0 });
    s.addRow({ symbol: 'X', obi: 0 });
    expect(s.takeDelta()).toBeNull();
  });

  it('says when the run ended', () => {
    const s = new DashboardState();
    s.end();
    expect(s.takeDelta()).toMatchObject({ ended: true, seq: 1 });
    expect(s.snapshot().ended).toBe(true);
  });

  it('a client applying snapshot + deltas holds what a fresh snapshot holds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 1, max: 7 }),
            fc.constant('push' as const),
            fc.constant('join' as const),
          ),
          {
            maxLength: 60,
          },
        ),
        (script) => {
          const s = new DashboardState({ maxPoints: 10 });
          let t = 0;
          let client: PointColumns | null = null;
          const apply = (d: DeltaMessage | null): void => {
            const p = d?.symbols['X']?.points;
            if (client === null || p === undefined) return;
            for (const f of POINT_FIELDS) client[f] = [...client[f], ...p[f]].slice(-10);
          };
          for (const step of script) {
            if (step === 'push') apply(s.takeDelta());
            else if (step === 'join') {
              // A new client arrives at a push: pending changes go out first, then it gets the snapshot.
              apply(s.takeDelta());
              client = s.snapshot().symbols['X']?.points ?? {
                t: [],
                mid: [],
                obi: [],
                obi_ema: [],
                gate: [],
                spread_bps: [],
                p_up: [],
              };
            } else for (let i = 0; i < step; i++) s.addRow(row('X', t++, 0));
          }
          apply(s.takeDelta());
          if (client !== null) {
            const truth = s.snapshot().symbols['X']?.points?.t ?? [];
            expect((client as PointColumns).t).toEqual(truth);
          }
        },
      ),
    );
  });
});
