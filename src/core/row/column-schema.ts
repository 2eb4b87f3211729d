import type { FeatureOptions } from '../../options.js';
import { SEED_COLUMNS } from './feature-row.js';

/** Returns the CSV column order for these options: the seed's columns first, then obi's. */
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
  ];
}
