/** The short readable summary printed at the end of a run. */
import type { RunMetrics } from '../core/metrics/run-summary.js';
import type { RunResult } from '../pipeline/run-to-files.js';

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a';
}

/** Returns the lines of the end-of-run summary. */
export function summaryLines(
  result: RunResult,
  paths: { csv: string; json: string; parquet?: string | undefined },
): string[] {
  const lines = [`[OK] Saved CSV  → ${paths.csv} (${result.rows} rows)`];
  if (paths.parquet !== undefined) lines.push(`[OK] Saved Parquet → ${paths.parquet}`);
  lines.push(`[OK] Saved JSON → ${paths.json}`);
  for (const [symbol, m] of result.metricsBySymbol) {
    lines.push(
      `${symbol}: samples=${m.samples} valid=${m.valid_samples} missing=${m.missing_samples}` +
        ` invalid=${m.invalid_samples} unsynced=${m.unsynced_samples}`,
      `  obi mean=${fmt(m.obi_mean)} p90|obi|=${fmt(m.obi_p90_abs)} obi_pw mean=${fmt(m.obi_pw_mean)}` +
        ` spread p50=${fmt(m.spread_bps_quantiles.p50, 3)} bps`,
      `  corr(obi, mid_ret)=${fmt(m.corr_obi_midret)}  corr(obi, next mid_ret)=${fmt(m.corr_obi_lead_midret)}`,
      ...analysisLines(m),
    );
  }
  return lines;
}

/** Returns the lines on predictiveness: lead/lag peak, per-horizon IC, gate, predictor, caveats. */
export function analysisLines(m: RunMetrics): string[] {
  const lines: string[] = [];
  const peak = m.lead_lag?.peak['obi'];
  if (peak !== undefined && peak !== null) {
    const lag = m.lead_lag!.signals['obi']!.find((l) => l.lag === peak.lag)!;
    lines.push(
      `  lead/lag: corr(obi, return ${peak.lag} sample(s) later) is largest at ${fmt(peak.pearson)}` +
        ` [95% ${fmt(lag.pearson_ci95[0], 3)}, ${fmt(lag.pearson_ci95[1], 3)}] n=${lag.n}`,
    );
  }
  for (const [name, h] of Object.entries(m.horizons ?? {})) {
    const ic = h.ic['obi'];
    lines.push(
      `  ${name}: IC(obi) pearson=${fmt(ic?.pearson ?? Number.NaN, 3)} spearman=${fmt(ic?.spearman ?? Number.NaN, 3)}` +
        ` hit=${pct(h.hit_rate.rate)} (n=${h.hit_rate.n}) zero moves=${pct(h.zero_move_share)}` +
        ` labelled=${h.labelled}`,
    );
  }
  const gate = m.gate;
  if (gate !== undefined && gate.rows > 0) {
    const bear = gate.states.bearish;
    const bull = gate.states.bullish;
    lines.push(
      `  gate: bearish ${pct(bear.share_time)} of time (${bear.entries} entries),` +
        ` bullish ${pct(bull.share_time)} (${bull.entries} entries)`,
    );
    for (const [name, f] of Object.entries(bear.forward)) {
      if (f.n === 0) continue;
      const base = gate.base_rates[name]!;
      lines.push(
        `    after bearish, ${name}: down ${pct(f.down_rate)} vs ${pct(base.down_rate)} overall` +
          ` (lift ${fmt(f.down_lift, 2)}), mean ret ${fmt(f.mean * 1e4, 3)} bps,` +
          ` t=${fmt(f.t_stat_nonoverlap, 2)} non-overlapping (n=${f.n_nonoverlap})`,
      );
    }
  }
  const p = m.predictor;
  if (p !== undefined && p !== null) {
    lines.push(
      `  predictor (${p.horizon}, walk-forward): AUC=${fmt(p.auc, 3)} accuracy=${pct(p.accuracy)}` +
        ` vs ${pct(p.accuracy_base_rate)} base, log-loss=${fmt(p.log_loss)} vs ${fmt(p.log_loss_base_rate)}` +
        ` base (skill ${pct(p.log_loss_skill)}), n=${p.evaluated}`,
    );
  }
  const t = m.trade_features;
  if (t !== undefined && t !== null) {
    lines.push(
      `  trades: tfi mean=${fmt(t.tfi_mean, 3)} (rows ${t.tfi_rows}), vpin mean=${fmt(t.vpin_mean, 3)} (rows ${t.vpin_rows})`,
    );
  }
  for (const note of m.notes ?? []) lines.push(`  note: ${note}`);
  return lines;
}
