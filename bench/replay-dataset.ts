/**
 * A replay input held in memory: recording lines (docs/recording-format.md), so that every lane parses
 * exactly the same strings and none of them pays for reading the file.
 */

/** Which Binance market the lines come from (decides the sync rules each library applies). */
export type BinanceMarketKind = 'spot' | 'usdm' | 'coinm';

export interface ReplayDataset {
  /** Shown in the results table. */
  readonly name: string;
  readonly market: BinanceMarketKind;
  /** Recording lines, header first; `rest_depth` snapshots and `ws` diff messages. */
  readonly lines: readonly string[];
  /** How many of the lines are diff messages. */
  readonly diffs: number;
  readonly symbols: number;
  /** Mean price levels per diff message. */
  readonly levelsPerDiff: number;
}
