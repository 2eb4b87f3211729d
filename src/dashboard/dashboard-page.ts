/**
 * The dashboard page: one HTML document with uPlot, the shared chart kit and the dashboard script inline
 * (no CDN, works without internet). Its Content-Security-Policy allows only inline code and a connection back
 * to the server that served it (the websocket).
 */
import { escapeHtml, inlineScriptText, loadClientAsset, loadUplotAssets } from '../report/page-assets.js';

/** Inline code only; network only to the origin that served the page. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

/** Returns the page's HTML, reading its assets from node_modules and the client folders. */
export async function renderDashboardPage(title: string): Promise<string> {
  const [uplot, chartKitJs, reportCss, dashboardJs, dashboardCss] = await Promise.all([
    loadUplotAssets(),
    loadClientAsset('report', 'chart-kit.js'),
    loadClientAsset('report', 'report.css'),
    loadClientAsset('dashboard', 'dashboard-client.js'),
    loadClientAsset('dashboard', 'dashboard.css'),
  ]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP}">
<title>${escapeHtml(title)}</title>
<style>${inlineScriptText(uplot.css)}</style>
<style>${inlineScriptText(reportCss)}</style>
<style>${inlineScriptText(dashboardCss)}</style>
</head>
<body>
<header class="page">
<h1>${escapeHtml(title)}</h1>
<p class="subtitle"><span id="conn" class="conn conn-connecting">connecting…</span> <span id="meta"></span></p>
</header>
<div class="wrap">
<main id="board"><noscript><p class="note">The dashboard needs JavaScript.</p></noscript></main>
</div>
<footer class="page">obi live dashboard · local only · charts: uPlot (MIT) · times in UTC</footer>
<script>${inlineScriptText(uplot.js)}</script>
<script>${inlineScriptText(chartKitJs)}</script>
<script>${inlineScriptText(dashboardJs)}</script>
</body>
</html>
`;
}
