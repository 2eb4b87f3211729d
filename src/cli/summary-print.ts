/** The short readable summary printed at the end of a run. */
import type { RunResult } from '../pipeline/run-to-files.js';

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** Returns the lines of the end-of-run summary. */
export function summaryLines(result: RunResult, paths: { csv: string; json: string }): string[] {
  const lines = [`[OK] Saved CSV  → ${paths.csv} (${result.rows} rows)`, `[OK] Saved JSON → ${paths.json}`];
  for (const [symbol, m] of result.metricsBySymbol) {
    lines.push(
      `${symbol}: samples=${m.samples} valid=${m.valid_samples} missing=${m.missing_samples}` +
        ` invalid=${m.invalid_samples} unsynced=${m.unsynced_samples}`,
      `  obi mean=${fmt(m.obi_mean)} p90|obi|=${fmt(m.obi_p90_abs)} obi_pw mean=${fmt(m.obi_pw_mean)}` +
        ` spread p50=${fmt(m.spread_bps_quantiles.p50, 3)} bps`,
      `  corr(obi, mid_ret)=${fmt(m.corr_obi_midret)}  corr(obi, next mid_ret)=${fmt(m.corr_obi_lead_midret)}`,
    );
  }
  return lines;
}
