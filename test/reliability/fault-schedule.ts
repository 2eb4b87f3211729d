/**
 * Random schedules of every fault the simulator can inject (fault-rule.ts), for soak tests: each kind at
 * least once, then more at random, each armed for a while and cleared; plus whole-venue actions (every
 * connection dropped, a serverShutdown). Seeded, so a failing soak can be run again.
 */
import { FAULT_KINDS, type FaultKind, type FaultRule } from '../../src/exchanges/simulator/fault-rule.js';
import type { RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { Prng } from '../../src/exchanges/simulator/prng.js';

/** What can happen: a fault rule, or an action on every connection at once. */
export type FaultAction = FaultKind | 'drop-all' | 'server-shutdown';

export interface ScheduledFault {
  readonly atMs: number;
  readonly action: FaultAction;
  /** The rule armed (null for the whole-venue actions). */
  readonly rule: FaultRule | null;
  /** When the rule is cleared again. */
  readonly clearAtMs: number;
}

/** Returns uniform draws in [0, 1) fixed by `seed` (the simulator's mulberry32). */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

export interface ScheduleOptions {
  readonly durationMs: number;
  readonly symbols: readonly string[];
  /** Fault kinds to use (default: all). */
  readonly kinds?: readonly FaultKind[];
  /** Also drop every connection / send serverShutdown (websocket runs). */
  readonly venueActions: boolean;
  /** REST faults fire with a probability per request (poll) or on the next requests (websocket resyncs). */
  readonly restPerRequest: boolean;
  /** Nothing happens before this (the first sync). @default 800 */
  readonly quietStartMs?: number;
  /** Nothing happens in the last part of the run, so it ends healthy. @default 1500 */
  readonly quietEndMs?: number;
}

/** Returns a schedule in which every kind (and venue action) occurs at least once, ordered by time. */
export function faultSchedule(random: () => number, o: ScheduleOptions): ScheduledFault[] {
  const kinds = o.kinds ?? FAULT_KINDS;
  const actions: FaultAction[] = [
    ...kinds,
    ...(o.venueActions ? (['drop-all', 'server-shutdown'] as const) : []),
  ];
  const start = o.quietStartMs ?? 800;
  const end = o.durationMs - (o.quietEndMs ?? 1500);
  const span = Math.max(1, end - start);
  // Every action once, then as many again at random: about one every span / (2·actions) ms.
  const list = [
    ...actions,
    ...actions.map(() => actions[Math.floor(random() * actions.length)] as FaultAction),
  ];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const schedule = list.map((action, i): ScheduledFault => {
    const atMs = start + random() * span;
    const rest = action.startsWith('rest-');
    // Websocket runs request snapshots only to (re)sync: a REST fault waits armed for the next one.
    const clearAtMs = rest && !o.restPerRequest ? end : Math.min(end, atMs + 300 + random() * 1200);
    if (action === 'drop-all' || action === 'server-shutdown') return { atMs, action, rule: null, clearAtMs };
    // The first occurrence of each kind fires on the next eligible message or request, so every kind is
    // exercised; the others fire at random, sometimes for one symbol only.
    const first = i < actions.length;
    const symbol = !first && random() < 0.5 ? { symbol: pick(o.symbols) } : {};
    const often =
      first || (rest && !o.restPerRequest) || action === 'ws-drop' || action === 'ws-delay'
        ? { count: 1 + Math.floor(random() * 2) }
        : { probability: rest ? 0.1 + random() * 0.3 : 0.02 + random() * 0.2 };
    const rule: FaultRule = {
      kind: action,
      ...often,
      ...symbol,
      ...(action === 'ws-delay' ? { delayMs: 100 + Math.floor(random() * 1400) } : {}),
      ...(action === 'rest-slow' ? { delayMs: 200 + Math.floor(random() * 1300) } : {}),
      ...(action === 'rest-429' || action === 'rest-418' ? { retryAfterS: 1 } : {}),
      ...(action === 'rest-5xx' ? { status: pick([500, 502, 503, 504]) } : {}),
    };
    return { atMs, action, rule, clearAtMs };
  });
  return schedule.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Plays `schedule` on the simulator (times from now); returns a function that cancels what is pending. A
 * rule is cleared at its time only once it has fired; until then it stays armed (a request may not have
 * come in its window, e.g. while a 429 pauses them).
 */
export function playSchedule(sim: RunningSimulator, schedule: readonly ScheduledFault[]): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  for (const f of schedule) {
    let firedBefore = 0;
    later(f.atMs, () => {
      if (f.action === 'drop-all') sim.faults.dropConnections();
      else if (f.action === 'server-shutdown') sim.faults.serverShutdown();
      else if (f.rule !== null) {
        firedBefore = sim.faults.fired(f.rule.kind);
        sim.faults.add(f.rule);
      }
    });
    const rule = f.rule;
    if (rule === null) continue;
    const clear = (): void => {
      if (sim.faults.fired(rule.kind) > firedBefore) sim.faults.clear(rule.kind);
      else later(200, clear);
    };
    later(f.clearAtMs, clear);
  }
  return () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    sim.faults.clear();
  };
}

/** Returns how often each fault kind fired on the simulator. */
export function firedCounts(sim: RunningSimulator): Record<string, number> {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, sim.faults.fired(k)]));
}
