/**
 * The report page as one HTML string: styles, uPlot, the page script and the data all inline, and a
 * Content-Security-Policy that forbids every network load, so the file opens offline and cannot phone home.
 */
import { escapeHtml, inlineJson, inlineScriptText, type UplotAssets } from './page-assets.js';
import type { ReportData } from './report-data.js';

/** The page's own assets (see page-assets.ts). */
export interface ReportPageAssets {
  readonly uplot: UplotAssets;
  readonly chartKitJs: string;
  readonly reportJs: string;
  readonly reportCss: string;
}

/** No fetches, frames, fonts or images from anywhere; only what is inline. */
export const REPORT_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Returns the self-contained HTML page of `data`. */
export function renderReportHtml(data: ReportData, assets: ReportPageAssets): string {
  const symbols = data.symbols.map((s) => s.symbol).join(', ');
  const subtitle = `${symbols || 'no symbols'} · generated ${data.generatedAt.replace('T', ' ').slice(0, 19)} UTC by obi ${data.obiVersion}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="generator" content="obi ${escapeHtml(data.obiVersion)}">
<title>${escapeHtml(data.title)}</title>
<style>${inlineScriptText(assets.uplot.css)}</style>
<style>${inlineScriptText(assets.reportCss)}</style>
</head>
<body>
<header class="page">
<h1>${escapeHtml(data.title)}</h1>
<p class="subtitle">${escapeHtml(subtitle)}</p>
</header>
<div class="wrap">
<div id="run"></div>
<nav id="symbols" aria-label="symbols"></nav>
<main id="report"><noscript><p class="note">This report draws its charts with JavaScript; enable it to see them.</p></noscript></main>
</div>
<footer class="page">Order-book imbalance report by obi. Charts: uPlot (MIT). Time axes in UTC; returns are log returns in basis points.</footer>
<script type="application/json" id="obi-report-data">${inlineJson(data)}</script>
<script>${inlineScriptText(assets.uplot.js)}</script>
<script>${inlineScriptText(assets.chartKitJs)}</script>
<script>${inlineScriptText(assets.reportJs)}</script>
</body>
</html>
`;
}
