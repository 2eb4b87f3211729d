import { describe, expect, it } from 'vitest';
import { configOf, intervalMsOf, leadLagOf, symbolMetricsOf } from '../../src/report/metrics-document.js';

describe('metrics document', () => {
  const doc = {
    config: { interval: 0.25, symbols: ['BTCUSDT', 'ETHUSDT'] },
    metrics: { symbol: 'BTCUSDT', samples: 3 },
    metrics_by_symbol: {
      BTCUSDT: { symbol: 'BTCUSDT', samples: 3 },
      ETHUSDT: { symbol: 'ETHUSDT', samples: 4 },
    },
  };

  it('finds config, interval and per-symbol blocks, also in the seed’s single-metrics form', () => {
    expect(configOf(doc)).toEqual(doc.config);
    expect(intervalMsOf(doc)).toBe(250);
    expect(symbolMetricsOf(doc, 'ETHUSDT', false)).toEqual({ symbol: 'ETHUSDT', samples: 4 });
    const seed = { config: { interval: 1 }, metrics: { samples: 9 } };
    expect(symbolMetricsOf(seed, 'UNKNOWN', true)).toEqual({ samples: 9 });
    expect(symbolMetricsOf(seed, 'UNKNOWN', false)).toBeNull();
    expect(symbolMetricsOf(null, 'X', true)).toBeNull();
    expect(intervalMsOf({})).toBeNull();
  });

  it('reads the research metrics’ lead/lag profile: per signal, Pearson and Spearman with intervals', () => {
    const lag = (k: number, p: number | null) => ({
      lag: k,
      pearson: p,
      pearson_ci95: [p === null ? null : p - 0.1, p === null ? null : p + 0.1],
      n: 100 - Math.abs(k),
      spearman: 0.5,
      spearman_ci95: [0.4, 0.6],
      spearman_n: 50,
    });
    const block = {
      lead_lag: {
        max_lag: 1,
        spearman_rows: 50,
        signals: { obi: [lag(1, 0.3), lag(-1, 0.1), lag(0, null)], ofi: [lag(-1, 0), lag(0, 0), lag(1, 0)] },
        peak: { obi: { lag: 1, pearson: 0.3 }, ofi: null },
      },
    };
    const p = leadLagOf(block)!;
    expect(p.source).toBe('metrics');
    expect(p.series.map((s) => `${s.feature}/${s.method}`)).toEqual([
      'obi/pearson',
      'obi/spearman',
      'ofi/pearson',
      'ofi/spearman',
    ]);
    const obi = p.series[0]!;
    expect(obi.lags).toEqual([-1, 0, 1]);
    expect(obi.r).toEqual([0.1, null, 0.3]);
    expect(obi.low[2]).toBeCloseTo(0.2, 12);
    expect(obi.n).toEqual([99, 100, 99]);
    expect(p.series[1]!.n).toEqual([50, 50, 50]);
  });

  it('reads a flat list with feature fields, and finds nothing where there is no profile', () => {
    const block = {
      leadLag: [
        { feature: 'obi', k: 0, corr: 0.2, low: 0.1, high: 0.3, n: 10 },
        { feature: 'obi', k: 1, corr: 0.4, low: 0.3, high: 0.5, n: 9 },
      ],
    };
    expect(leadLagOf(block)!.series).toEqual([
      {
        feature: 'obi',
        method: 'pearson',
        lags: [0, 1],
        r: [0.2, 0.4],
        low: [0.1, 0.3],
        high: [0.3, 0.5],
        n: [10, 9],
      },
    ]);
    expect(leadLagOf({ samples: 3 })).toBeNull();
    expect(leadLagOf(null)).toBeNull();
  });
});
