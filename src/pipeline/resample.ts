/**
 * As-of resampling to a fixed grid: at each tick t_k = k·interval (aligned to the epoch), every symbol's
 * sample is its latest state received at or before t_k. Used when replaying irregular data (tardis rows)
 * with `--interval`. A symbol whose latest state is older than `maxStaleMs` is emitted as missing rather
 * than silently repeated.
 */
import type { BookSample } from '../core/book-sample.js';
import { copyDepthView, createDepthView, type DepthView } from '../core/book/depth-view.js';
import type { Trade } from '../events.js';

interface Latest {
  sample: BookSample;
  readonly view: DepthView;
}

export async function* resampleToGrid(
  samples: AsyncIterable<BookSample | Trade>,
  intervalMs: number,
  depth: number,
  maxStaleMs = Number.POSITIVE_INFINITY,
): AsyncGenerator<BookSample | Trade> {
  const latest = new Map<string, Latest>();
  let nextTick = Number.NaN;
  let lastTime = Number.NaN;
  const emitTick = function* (tick: number): Generator<BookSample> {
    for (const { sample, view } of latest.values()) {
      const stale = sample.receiveTimeMs !== null && tick - sample.receiveTimeMs > maxStaleMs;
      yield stale
        ? {
            ...sample,
            timeMs: tick,
            status: 'missing',
            reason: `no data for ${Math.round(tick - (sample.receiveTimeMs ?? tick))} ms`,
            view: { ...view, bidCount: 0, askCount: 0 },
          }
        : { ...sample, timeMs: tick, view };
    }
  };
  for await (const s of samples) {
    const timeMs = 'type' in s ? s.localTimeMs : s.timeMs;
    if (Number.isNaN(nextTick)) nextTick = Math.ceil(timeMs / intervalMs) * intervalMs;
    while (nextTick < timeMs) {
      yield* emitTick(nextTick);
      nextTick += intervalMs;
    }
    if ('type' in s) {
      // Trades pass through in time order: after every tick before them.
      yield s;
      continue;
    }
    let slot = latest.get(s.symbol);
    if (slot === undefined) {
      slot = { sample: s, view: createDepthView(depth) };
      latest.set(s.symbol, slot);
    }
    copyDepthView(s.view, slot.view);
    slot.sample = s;
    lastTime = s.timeMs;
  }
  // A tick exactly at the last sample's time is complete only now ("at or before t_k").
  if (nextTick === lastTime) yield* emitTick(nextTick);
}
