/** The limit for any JavaScript consumer: `JSON.parse` of every line and nothing else. */
import type { ReplayDataset } from '../replay-dataset.js';
import type { LaneResult, ReplayLane } from './replay-lane.js';

export const jsonParseLane: ReplayLane = {
  name: 'JSON.parse only',
  run(dataset: ReplayDataset): LaneResult {
    const lines = dataset.lines;
    let touched = 0;
    for (let i = 0; i < lines.length; i++) {
      // Read one field so that the parse is observably used.
      const v = JSON.parse(lines[i] as string) as { k?: unknown };
      if (v.k === 'ws') touched++;
    }
    return { lines: lines.length, samples: touched, checksum: 0 };
  },
};
