/**
 * Fault soak, in process: the websocket source and the diff sampler against the simulator while a random
 * schedule fires every injectable fault (fault-schedule.ts). Checked continuously, while the venue still
 * remembers each update id: every synced sample's book is the venue's true book at the sample's update id
 * (every known level, exact strings), unless the venue itself sent a crossed snapshot and the sample says so;
 * every tick of the grid gives exactly one sample per symbol, in order; the heap after GC stays bounded; the
 * source never ends early. Length: OBI_SOAK_SECONDS (default 10 s; run longer on demand).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { monotonicEpochMs, openWsDepthStream } from '../../src/exchanges/binance/ws-depth-stream.js';
import type { DiffBookKeeper } from '../../src/pipeline/diff-book-keeper.js';
import { sampleDiffs } from '../../src/pipeline/diff-sampler.js';
import { fullBookDifference } from '../exchanges/binance/ws-harness.js';
import { FAULT_KINDS } from '../../src/exchanges/simulator/fault-rule.js';
import { faultSchedule, firedCounts, playSchedule, prng } from './fault-schedule.js';

/**
 * Every fault, `rest-crossed` included: the keeper refuses a crossed snapshot and fetches another, so no
 * synced sample is ever crossed, and every synced book still equals the venue's.
 */
const WS_SOAK_FAULTS = FAULT_KINDS;

const SOAK_MS = Number(process.env['OBI_SOAK_SECONDS'] ?? 10) * 1000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const INTERVAL_MS = 100;
/** Growth of the heap after GC from the warm-up reading to the end that counts as a leak. */
const HEAP_GROWTH_LIMIT_BYTES = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let sim: RunningSimulator | undefined;
afterAll(async () => {
  await sim?.close();
});

function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe('websocket collection under a random schedule of every fault', () => {
  it(
    'keeps true books, one sample per tick and symbol, bounded memory, and never stops early',
    async () => {
      const seed = Number(process.env['OBI_SOAK_SEED'] ?? Date.now() % 100_000);
      const random = prng(seed);
      const venue = await startSimulator({ seed, tickMs: 20, pingIntervalMs: 1500, pongTimeoutMs: 5000 });
      sim = venue;
      const schedule = faultSchedule(random, {
        durationMs: SOAK_MS,
        symbols: SYMBOLS,
        kinds: WS_SOAK_FAULTS,
        venueActions: true,
        restPerRequest: false,
      });
      const start = monotonicEpochMs();
      const tickStartMs = Math.ceil(start / INTERVAL_MS) * INTERVAL_MS;
      const tickEndMs = start + SOAK_MS;
      const stream = openWsDepthStream({
        exchange: 'binance',
        symbols: SYMBOLS,
        restBaseUrl: venue.url,
        wsBaseUrl: venue.wsUrl,
        clockMarks: { startMs: tickStartMs, intervalMs: INTERVAL_MS },
        stopAtMs: tickEndMs,
        timeoutMs: 1000,
        reconnectBackoff: { baseMs: 20, maxMs: 300 },
        maxConnectionAgeMs: 4000,
        random,
      });
      const cancel = playSchedule(venue, schedule);
      let keeper: DiffBookKeeper | null = null;
      const wrong: string[] = [];
      const tickErrors: string[] = [];
      const nextTick = new Map<string, number>(SYMBOLS.map((s) => [s, tickStartMs]));
      let samples = 0;
      let ok = 0;
      let crossedOk = 0;
      const heap: number[] = [];
      let nextHeapAt = start + SOAK_MS / 4;
      try {
        for await (const s of sampleDiffs(stream, {
          sample: 'cadence',
          intervalMs: INTERVAL_MS,
          tickStartMs,
          tickEndMs,
          symbols: SYMBOLS,
          depth: 20,
          minKnownDepth: 20,
          venue: { exchange: 'binance', market: 'spot' },
          onSnapshotNeeded: (r) => stream.requestSnapshot(r),
          onStreamBehind: (symbol) => stream.resubscribe(symbol),
          onKeeper: (k) => {
            keeper = k;
          },
        })) {
          if ('type' in s) continue;
          samples++;
          const expected = nextTick.get(s.symbol) as number;
          if (Math.abs(s.timeMs - expected) > 1e-6 && tickErrors.length < 5) {
            tickErrors.push(`${s.symbol}: sample at ${s.timeMs}, expected the tick at ${expected}`);
          }
          nextTick.set(s.symbol, s.timeMs + INTERVAL_MS);
          if (s.status !== 'ok' || keeper === null) continue;
          ok++;
          // The venue's book is never crossed, and a crossed snapshot (rest-crossed) is refused.
          if (s.crossed) crossedOk++;
          const d = fullBookDifference(venue, keeper, s.symbol);
          if (d !== null && wrong.length < 5) {
            wrong.push(
              `t+${Math.round(s.timeMs - tickStartMs)}ms ${d} (view depth ${s.view.bidCount}/${s.view.askCount})`,
            );
          }
          if (s.timeMs >= nextHeapAt) {
            heap.push(heapAfterGc());
            nextHeapAt += SOAK_MS / 8;
          }
        }
      } finally {
        cancel();
      }
      heap.push(heapAfterGc());
      const fired = firedCounts(venue);
      const summary = {
        seed,
        soakSeconds: SOAK_MS / 1000,
        samples,
        okShare: Number((ok / Math.max(1, samples)).toFixed(3)),
        crossedOk,
        heapMb: heap.map((h) => Number((h / 2 ** 20).toFixed(1))),
        reconnects: stream.stats.reconnects,
        fired,
      };
      console.log(`fault soak (websocket): ${JSON.stringify(summary)}`);
      const context = `seed ${seed}`;
      expect(wrong.join('\n'), context).toBe('');
      expect(tickErrors.join('\n'), context).toBe('');
      expect(crossedOk, context).toBe(0);
      // Never ended early: every symbol reached the last tick before the end.
      for (const symbol of SYMBOLS) {
        expect(nextTick.get(symbol), `${context} ${symbol}`).toBeGreaterThanOrEqual(tickEndMs);
      }
      // Exactly the grid: as many samples as ticks times symbols.
      const ticks = Math.ceil((tickEndMs - tickStartMs) / INTERVAL_MS);
      expect(samples, context).toBe(ticks * SYMBOLS.length);
      // Books were synced for a good part of the run despite the faults, so the checks above were not vacuous.
      expect(ok, context).toBeGreaterThan(samples / 6);
      expect(heap.at(-1)! - heap[0]!, context).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
      // Every websocket fault fired, and REST faults hit the snapshots of resyncs.
      for (const kind of ['ws-drop', 'ws-gap', 'ws-duplicate', 'ws-reorder', 'ws-delay', 'ws-malformed']) {
        expect(fired[kind], `${context} ${kind}`).toBeGreaterThan(0);
      }
      const restFired = Object.entries(fired).filter(([k, n]) => k.startsWith('rest-') && n > 0);
      expect(restFired.length, context).toBeGreaterThanOrEqual(3);
    },
    SOAK_MS + 60_000,
  );
});
