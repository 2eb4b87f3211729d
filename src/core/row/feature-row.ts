/**
 * A feature row: one sample of one symbol, as written to the CSV / NDJSON sinks. Plain data.
 * Column meanings are documented once, in docs/columns.md.
 */
export type Cell = number | string | null;

export interface FeatureRow {
  [column: string]: Cell;
  timestamp: string;
  lastUpdateId: number | null;
  best_bid: number;
  best_ask: number;
  mid: number;
  bid_vol_L: number;
  ask_vol_L: number;
  obi: number;
  obi_pw: number;
  obi_ema: number;
  obi_pw_ema: number;
  mid_ret: number;
  /** Label: uses the next sample. */
  mid_ret_fwd: number;
  obi_z: number;
  obi_extreme_flag: number;
  symbol: string;
  status: string;
  time_ms: number;
}

/** The original script's columns, in its order (SEED.md `collect_orderbook` + `add_features`). */
export const SEED_COLUMNS = [
  'timestamp',
  'lastUpdateId',
  'best_bid',
  'best_ask',
  'mid',
  'bid_vol_L',
  'ask_vol_L',
  'obi',
  'obi_pw',
  'obi_ema',
  'obi_pw_ema',
  'mid_ret',
  'mid_ret_fwd',
  'obi_z',
  'obi_extreme_flag',
] as const;
