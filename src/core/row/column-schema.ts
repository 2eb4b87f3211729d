import type { FeatureOptions } from '../../options.js';
import { horizonColumn } from '../labels/forward-returns.js';
import { SEED_COLUMNS } from './feature-row.js';

/**
 * Returns the CSV column order for these options: the seed's columns first, then obi's features, then the
 * analysis columns (trade features when enabled, `gate`, `gate_age`, `p_up`) and the horizon labels last.
 */
export function featureColumns(o: FeatureOptions): string[] {
  return [
    ...SEED_COLUMNS,
    'symbol',
    'status',
    'reason',
    'time_ms',
    'exchange_time_ms',
    'request_time_ms',
    'latency_ms',
    'crossed',
    'locked',
    'depth_bid',
    'depth_ask',
    'spread',
    'spread_bps',
    ...o.obiLevels.map((k) => `obi_l${k}`),
    'obi_decay',
    'weighted_mid',
    'vamp',
    'ofi',
    ...Array.from({ length: o.ofiLevels }, (_, i) => `ofi_l${i + 1}`),
    'mlofi',
    'depth_slope_bid',
    'depth_slope_ask',
    'depth_slope_diff',
    'obi_extreme_thr',
    ...(o.trades ? ['tfi', 'vpin'] : []),
    'gate',
    'gate_age',
    'p_up',
    ...o.horizonsMs.map(horizonColumn),
  ];
}

/** How a column is stored where types matter (Parquet). */
export type ColumnKind = 'timestamp' | 'string' | 'int' | 'double';

const STRING_COLUMNS = new Set(['symbol', 'status', 'reason']);
const INT_COLUMNS = new Set([
  'lastUpdateId',
  'obi_extreme_flag',
  'crossed',
  'locked',
  'depth_bid',
  'depth_ask',
  'gate',
  'gate_age',
]);

/** Returns the storage kind of a feature column: everything not listed as text or integer is a double. */
export function columnKind(column: string): ColumnKind {
  if (column === 'timestamp') return 'timestamp';
  if (STRING_COLUMNS.has(column)) return 'string';
  if (INT_COLUMNS.has(column)) return 'int';
  return 'double';
}
