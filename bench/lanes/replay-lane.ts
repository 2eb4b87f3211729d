/**
 * One way of consuming a replay: parse every line, keep the books, and compute the top-L order-book
 * imbalance after each diff. Every lane returns the same kind of result so that the lanes can be checked
 * against each other: on a stream whose snapshots are whole books they must agree on every imbalance.
 */
import type { ReplayDataset } from '../replay-dataset.js';

/** What a lane did over one pass. */
export interface LaneResult {
  /** Lines consumed (header, snapshots and diffs). */
  readonly lines: number;
  /** Imbalance values computed (books in sync with both sides non-empty). */
  readonly samples: number;
  /** Σ of those imbalance values, in line order: equal across lanes that saw the same books. */
  readonly checksum: number;
}

export interface ReplayLane {
  readonly name: string;
  /** Consumes `dataset.lines` once with fresh state. */
  run(dataset: ReplayDataset, levels: number): LaneResult | Promise<LaneResult>;
}

/**
 * Returns (b − a)/(b + a) for side volumes b, a; NaN for an empty side or a zero/non-finite total: the
 * same rule as obi's `orderBookImbalance` (src/core/features/imbalance.ts), so checksums compare exactly.
 */
export function imbalanceOf(bid: number, ask: number, bidLevels: number, askLevels: number): number {
  if (bidLevels === 0 || askLevels === 0) return Number.NaN;
  const denom = bid + ask;
  if (!(denom > 0) || denom === Infinity) return Number.NaN;
  return (bid - ask) / denom;
}
