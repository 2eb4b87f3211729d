/**
 * A drift-free fixed cadence. Tick k is due at `startMs + k·intervalMs`, computed by multiplication, never by
 * adding intervals to the previous tick's actual time, so slow responses and timer jitter never accumulate.
 *
 * The rule for a late process (a stalled event loop, a slow consumer): tick k may start at any time in
 * [due(k), due(k) + lateToleranceMs]. After that it is *missed*: the caller records it as missing and moves on
 * to the next tick. Ticks are never bunched up to "catch up", so every sample that does exist was taken within
 * the tolerance of its tick time.
 */
import { ConfigError } from '../../errors.js';

/** The schedule: when tick 0 is due, the spacing, and how late a tick may still start. */
export interface Cadence {
  readonly startMs: number;
  readonly intervalMs: number;
  readonly lateToleranceMs: number;
}

/** What to do about tick `index` at a given moment. */
export type TickDecision =
  | { readonly kind: 'wait'; readonly index: number; readonly dueMs: number; readonly delayMs: number }
  | { readonly kind: 'run'; readonly index: number; readonly dueMs: number }
  | { readonly kind: 'missed'; readonly index: number; readonly dueMs: number; readonly latenessMs: number };

/**
 * Returns a cadence whose tick 0 is due at `startMs`. `lateToleranceMs` defaults to half an interval and must
 * be below one interval (otherwise two ticks could start back to back).
 */
export function createCadence(
  startMs: number,
  intervalMs: number,
  lateToleranceMs = intervalMs / 2,
): Cadence {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new ConfigError(`interval must be a positive number of ms, got ${intervalMs}`, 'intervalMs');
  }
  if (!(lateToleranceMs >= 0 && lateToleranceMs < intervalMs)) {
    throw new ConfigError(
      `late tolerance must be in [0, interval), got ${lateToleranceMs}`,
      'lateToleranceMs',
    );
  }
  return { startMs, intervalMs, lateToleranceMs };
}

/** Returns when tick `index` is due: startMs + index·intervalMs. */
export function tickDueMs(cadence: Cadence, index: number): number {
  return cadence.startMs + index * cadence.intervalMs;
}

/**
 * Returns how many ticks fall inside a run of `durationMs`: those due strictly before start + duration.
 * `undefined` (run until stopped) gives Infinity.
 */
export function tickCount(intervalMs: number, durationMs: number | undefined): number {
  if (durationMs === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.ceil(durationMs / intervalMs - 1e-9));
}

/** Returns whether tick `index` should wait (and how long), run now, or count as missed at `nowMs`. */
export function decideTick(cadence: Cadence, index: number, nowMs: number): TickDecision {
  const dueMs = tickDueMs(cadence, index);
  if (nowMs < dueMs) return { kind: 'wait', index, dueMs, delayMs: dueMs - nowMs };
  const latenessMs = nowMs - dueMs;
  if (latenessMs <= cadence.lateToleranceMs) return { kind: 'run', index, dueMs };
  return { kind: 'missed', index, dueMs, latenessMs };
}
