import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createCadence, decideTick, tickCount, tickDueMs } from '../../../src/exchanges/binance/cadence.js';
import type { Cadence } from '../../../src/exchanges/binance/cadence.js';

/**
 * Drives the cadence with a fake clock the way the poller does: wait for a tick, then spend `workMs(k)` on
 * it (request + consumer). Returns what happened to each tick.
 */
function simulate(
  cadence: Cadence,
  ticks: number,
  workMs: (index: number) => number,
): { index: number; kind: 'run' | 'missed'; dueMs: number; startMs: number }[] {
  let now = cadence.startMs;
  const out: { index: number; kind: 'run' | 'missed'; dueMs: number; startMs: number }[] = [];
  for (let index = 0; index < ticks; index++) {
    let d = decideTick(cadence, index, now);
    while (d.kind === 'wait') {
      now += d.delayMs;
      d = decideTick(cadence, index, now);
    }
    out.push({ index, kind: d.kind, dueMs: d.dueMs, startMs: now });
    if (d.kind === 'run') now += workMs(index);
  }
  return out;
}

describe('cadence', () => {
  it('tick k is due at t0 + k·interval, computed without accumulation', () => {
    const c = createCadence(1000.5, 0.1);
    expect(tickDueMs(c, 0)).toBe(1000.5);
    expect(tickDueMs(c, 3)).toBe(1000.5 + 3 * 0.1);
    expect(tickDueMs(c, 1_000_000)).toBe(1000.5 + 1_000_000 * 0.1);
  });

  it('waits, runs within tolerance, then misses', () => {
    const c = createCadence(0, 100); // tolerance 50
    expect(decideTick(c, 2, 150)).toEqual({ kind: 'wait', index: 2, dueMs: 200, delayMs: 50 });
    expect(decideTick(c, 2, 200)).toEqual({ kind: 'run', index: 2, dueMs: 200 });
    expect(decideTick(c, 2, 250)).toEqual({ kind: 'run', index: 2, dueMs: 200 });
    expect(decideTick(c, 2, 250.5)).toEqual({ kind: 'missed', index: 2, dueMs: 200, latenessMs: 50.5 });
  });

  it('a slow tick does not shift later ticks; ticks it overran are missed, not bunched', () => {
    const c = createCadence(10_000, 100);
    // tick 2 takes 330 ms: ticks 3, 4 and 5 (due 300, 400, 500 after start) are passed by more than 50 ms;
    // tick 5 is reached at +530, i.e. 30 ms late, which is within tolerance.
    const runs = simulate(c, 8, (k) => (k === 2 ? 330 : 20));
    expect(runs.map((r) => r.dueMs - 10_000)).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
    expect(runs.map((r) => r.kind)).toEqual(['run', 'run', 'run', 'missed', 'missed', 'run', 'run', 'run']);
    expect(runs[5]?.startMs).toBe(10_530);
    expect(runs[6]?.startMs).toBe(10_600);
  });

  it('never starts two ticks closer than interval − tolerance, whatever the work times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }), (work) => {
        const c = createCadence(0, 100);
        const runs = simulate(c, work.length, (k) => work[k] ?? 0).filter((r) => r.kind === 'run');
        for (let i = 1; i < runs.length; i++) {
          const prev = runs[i - 1];
          const cur = runs[i];
          if (prev === undefined || cur === undefined) continue;
          if (cur.startMs - prev.startMs < c.intervalMs - c.lateToleranceMs) return false;
          if (cur.startMs - cur.dueMs > c.lateToleranceMs || cur.startMs < cur.dueMs) return false;
        }
        return true;
      }),
    );
  });

  it('counts ticks due strictly before the end of the run', () => {
    expect(tickCount(100, 1000)).toBe(10);
    expect(tickCount(100, 1001)).toBe(11);
    expect(tickCount(300, 1000)).toBe(4);
    expect(tickCount(100, 0)).toBe(0);
    expect(tickCount(100, undefined)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a non-positive interval or a tolerance of a whole interval', () => {
    expect(() => createCadence(0, 0)).toThrow(ConfigError);
    expect(() => createCadence(0, 100, 100)).toThrow(ConfigError);
    expect(() => createCadence(0, 100, -1)).toThrow(ConfigError);
  });
});
