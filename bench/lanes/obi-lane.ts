/**
 * obi: each line read as `obi replay` reads it (RecordingLineParser: the diff-depth scanner's fast path,
 * JSON.parse and the Binance parsers for everything else, every level validated), the books kept by
 * DiffBookKeeper (Binance's sync procedure through DepthSync, exact-decimal OrderBook, known-window
 * tracking), and after each diff a sample of the symbol's top L levels (OrderBook.readTop into a
 * preallocated DepthView) and its `orderBookImbalance`. This is the synchronous core of `sampleDiffs` in
 * event mode, the stage a replay and the live websocket source run.
 */
import { orderBookImbalance } from '../../src/core/features/imbalance.js';
import type { Venue } from '../../src/events.js';
import { RecordingLineParser } from '../../src/io/replay.js';
import { DiffBookKeeper } from '../../src/pipeline/diff-book-keeper.js';
import type { ReplayDataset } from '../replay-dataset.js';
import type { LaneResult, ReplayLane } from './replay-lane.js';

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
    const parser = new RecordingLineParser();
    const lines = dataset.lines;
    let samples = 0;
    let checksum = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = parser.parse(lines[i] as string, venue, dataset.name, i + 1);
      if (line.kind !== 'event') continue;
      const event = line.event;
      if (event.type === 'diff') {
        keeper.onDiff(event);
        const sample = keeper.sample(event.symbol, event.localTimeMs);
        if (sample.status !== 'ok') continue;
        const obi = orderBookImbalance(sample.view, levels);
        if (Number.isNaN(obi)) continue;
        samples++;
        checksum += obi;
      } else if (event.type === 'snapshot') {
        keeper.onSnapshot(event);
      }
    }
    return { lines: lines.length, samples, checksum };
  },
};
