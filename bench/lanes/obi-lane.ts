/**
 * obi: each line parsed as the recording reader parses it (JSON.parse, then the Binance parsers that
 * validate every level), the books kept by DiffBookKeeper (Binance's sync procedure through DepthSync,
 * exact-decimal OrderBook, known-window tracking), and after each diff a sample of the symbol's top L
 * levels (OrderBook.readTop into a preallocated DepthView) and its `orderBookImbalance`. This is the
 * synchronous core of `sampleDiffs` in event mode, the stage a replay and the live websocket source run.
 */
import { orderBookImbalance } from '../../src/core/features/imbalance.js';
import type { Venue } from '../../src/events.js';
import { parseDepthUpdate, parseRestDepth } from '../../src/exchanges/binance/parse.js';
import { DiffBookKeeper } from '../../src/pipeline/diff-book-keeper.js';
import type { ReplayDataset } from '../replay-dataset.js';
import type { LaneResult, ReplayLane } from './replay-lane.js';

interface Line {
  readonly t: number;
  readonly k: string;
  readonly s?: string;
  readonly lim?: number;
  readonly d: unknown;
}

interface Payload {
  readonly e?: string;
  readonly s?: string;
}

interface Envelope extends Payload {
  readonly stream?: string;
  readonly data?: Payload;
}

/** Returns the venue a dataset's lines come from. */
export function venueOf(dataset: ReplayDataset): Venue {
  return dataset.market === 'spot'
    ? { exchange: 'binance', market: 'spot' }
    : { exchange: 'binance', market: 'futures' };
}

export const obiLane: ReplayLane = {
  name: 'obi (sync + book + top-L imbalance)',
  run(dataset: ReplayDataset, levels: number): LaneResult {
    const venue = venueOf(dataset);
    const keeper = new DiffBookKeeper({ depth: levels, venue });
    const lines = dataset.lines;
    let samples = 0;
    let checksum = 0;
    for (let i = 0; i < lines.length; i++) {
      const v = JSON.parse(lines[i] as string) as Line;
      if (v.k === 'ws') {
        const envelope = v.d as Envelope;
        const payload: Payload | undefined = envelope.stream !== undefined ? envelope.data : envelope;
        if (payload?.e !== 'depthUpdate') continue;
        const ctx = {
          exchange: venue.exchange,
          market: venue.market,
          symbol: payload.s ?? '?',
          localTimeMs: v.t,
        };
        const diff = parseDepthUpdate(payload, ctx);
        keeper.onDiff(diff);
        const sample = keeper.sample(diff.symbol, v.t);
        if (sample.status !== 'ok') continue;
        const obi = orderBookImbalance(sample.view, levels);
        if (Number.isNaN(obi)) continue;
        samples++;
        checksum += obi;
      } else if (v.k === 'rest_depth') {
        const ctx = {
          exchange: venue.exchange,
          market: venue.market,
          symbol: v.s ?? '?',
          localTimeMs: v.t,
          depthLimit: v.lim ?? null,
        };
        keeper.onSnapshot(parseRestDepth(v.d, ctx));
      }
    }
    return { lines: lines.length, samples, checksum };
  },
};
