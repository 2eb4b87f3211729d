/**
 * Reading what the report needs from a metrics JSON document (pipeline/run-to-files.ts writes it):
 * `config`, `metrics_by_symbol` (or the seed's single `metrics`), and the lead/lag profile where the research
 * metrics put one. Read defensively: the report must work on older documents, on the original script's
 * (config + metrics only), and on newer ones with keys it does not know.
 */
import type { LeadLagProfile, LeadLagSeries } from './lead-lag-profile.js';

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the document's `config`, or null. */
export function configOf(doc: unknown): Json | null {
  return isObject(doc) && isObject(doc['config']) ? doc['config'] : null;
}

/** Returns the metrics block of `symbol`: `metrics_by_symbol[symbol]`, else `metrics` when it is that symbol's. */
export function symbolMetricsOf(doc: unknown, symbol: string, onlySymbol: boolean): Json | null {
  if (!isObject(doc)) return null;
  const bySymbol = doc['metrics_by_symbol'];
  if (isObject(bySymbol) && isObject(bySymbol[symbol])) return bySymbol[symbol];
  const metrics = doc['metrics'];
  if (!isObject(metrics)) return null;
  const own = metrics['symbol'];
  if (own === symbol || (own === undefined && onlySymbol)) return metrics;
  return null;
}

/** Returns the sampling interval of the run in ms from `config.interval` (seconds), or null. */
export function intervalMsOf(doc: unknown): number | null {
  const interval = configOf(doc)?.['interval'];
  return typeof interval === 'number' && interval > 0 ? interval * 1000 : null;
}

const LAG_KEYS = ['lag', 'k'];
const R_KEYS = ['r', 'corr', 'correlation', 'rho', 'value', 'pearson', 'spearman', 'ic'];
const LOW_KEYS = ['ci_low', 'low', 'lo', 'lower', 'ci95_low', 'ci_lo'];
const HIGH_KEYS = ['ci_high', 'high', 'hi', 'upper', 'ci95_high', 'ci_hi'];
const INTERVAL_KEYS = ['ci95', 'ci', 'interval'];
const METHODS = ['pearson', 'spearman'];

function firstNumber(o: Json, keys: readonly string[]): number | null | undefined {
  for (const key of keys) {
    if (key in o) {
      const v = o[key];
      if (typeof v === 'number') return v;
      if (v === null) return null;
    }
  }
  return undefined;
}

/** Reads one point `{lag|k, r|corr|…, ci_low/ci_high | ci95: [lo, hi], n}`; null when it is not one. */
function readPoint(
  o: unknown,
  method: string,
): { lag: number; r: number | null; low: number | null; high: number | null; n: number | null } | null {
  if (!isObject(o)) return null;
  const lag = firstNumber(o, LAG_KEYS);
  if (typeof lag !== 'number') return null;
  let r = firstNumber(o, [method, ...R_KEYS]);
  if (r === undefined && isObject(o[method])) r = firstNumber(o[method], R_KEYS);
  if (r === undefined) return null;
  let low =
    firstNumber(
      o,
      LOW_KEYS.map((k) => `${method}_${k}`),
    ) ??
    firstNumber(o, LOW_KEYS) ??
    null;
  let high =
    firstNumber(
      o,
      HIGH_KEYS.map((k) => `${method}_${k}`),
    ) ??
    firstNumber(o, HIGH_KEYS) ??
    null;
  for (const key of INTERVAL_KEYS) {
    const pair = o[`${method}_${key}`] ?? o[key];
    if (Array.isArray(pair) && pair.length === 2) {
      low ??= typeof pair[0] === 'number' ? pair[0] : null;
      high ??= typeof pair[1] === 'number' ? pair[1] : null;
    }
  }
  const n = firstNumber(o, [`${method}_n`, 'n', 'pairs', 'count']) ?? null;
  return { lag, r, low, high, n };
}

function seriesFrom(points: readonly unknown[], feature: string, method: string): LeadLagSeries | null {
  const read = points.map((p) => readPoint(p, method));
  if (read.length === 0 || read.some((p) => p === null)) return null;
  const sorted = (read as NonNullable<(typeof read)[number]>[]).sort((a, b) => a.lag - b.lag);
  return {
    feature,
    method,
    lags: sorted.map((p) => p.lag),
    r: sorted.map((p) => p.r),
    low: sorted.map((p) => p.low),
    high: sorted.map((p) => p.high),
    n: sorted.map((p) => p.n),
  };
}

/**
 * Finds lead/lag profiles in a symbol's metrics block: under a key containing `lead_lag` (or `leadlag`),
 * arrays of per-lag points, either directly (`[{feature?, lag, r, …}]`), per feature (`{obi: [...]}`) or per
 * feature and method (`{obi: {pearson: [...], spearman: [...]}}`). Returns null when there is none.
 */
export function leadLagOf(metrics: Json | null): LeadLagProfile | null {
  if (metrics === null) return null;
  const series: LeadLagSeries[] = [];
  for (const [key, value] of Object.entries(metrics)) {
    if (!/lead_?lag/i.test(key)) continue;
    collect(value, 'obi', 'pearson', series, 0);
  }
  return series.length > 0 ? { source: 'metrics', series } : null;
}

function collect(value: unknown, feature: string, method: string, out: LeadLagSeries[], depth: number): void {
  if (depth > 4) return;
  if (Array.isArray(value)) {
    // A flat array may mix features/methods: group by its own `feature`/`method` fields when present.
    const groups = new Map<string, { feature: string; method: string; points: unknown[] }>();
    for (const p of value) {
      const f = isObject(p) && typeof p['feature'] === 'string' ? p['feature'] : feature;
      const m = isObject(p) && typeof p['method'] === 'string' ? p['method'] : method;
      const key = `${f}\u0000${m}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = { feature: f, method: m, points: [] };
        groups.set(key, g);
      }
      g.points.push(p);
    }
    for (const g of groups.values()) {
      // Points that carry both methods side by side give one series each.
      const methods = g.points.every((p) => isObject(p) && METHODS.every((m) => m in p))
        ? METHODS
        : [g.method];
      for (const m of methods) {
        const s = seriesFrom(g.points, g.feature, m);
        if (s !== null) out.push(s);
      }
    }
    return;
  }
  if (!isObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (METHODS.includes(key)) collect(inner, feature, key, out, depth + 1);
    else if (Array.isArray(inner) || isObject(inner)) collect(inner, key, method, out, depth + 1);
  }
}
