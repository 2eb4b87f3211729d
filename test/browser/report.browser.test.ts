import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvSink } from '../../src/io/sinks/csv-sink.js';
import { runToFiles } from '../../src/pipeline/run-to-files.js';
import { writeReport } from '../../src/report/write-report.js';
import { simulatedRun } from '../report/simulated-run.js';
import { HAS_CHROMIUM, inkPixels, launchChromium, screenshotPath, type Browser } from './chromium.js';

interface ReportState {
  ready: boolean;
  symbol: string | null;
  charts: Record<string, number>;
  errors: string[];
}

const readState = (): ReportState => (globalThis as unknown as { __obiReport: ReportState }).__obiReport;

describe.skipIf(!HAS_CHROMIUM)('the HTML report in Chromium', () => {
  let dir: string;
  let html: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obi-report-browser-'));
    const symbols = ['BTCUSDT', 'ETHUSDT'];
    const run = await simulatedRun({
      samples: 1600,
      intervalMs: 250,
      symbols,
      missingEvery: 80,
      horizons: [4, 20],
      gate: true,
    });
    const csv = join(dir, 'run.csv');
    const json = join(dir, 'run.json');
    const sink = await CsvSink.open(csv, run.columns);
    await runToFiles({
      rows: (async function* () {
        yield* run.rows;
      })(),
      sinks: [sink],
      jsonPath: json,
      config: { symbols, interval: 0.25, levels: 10, ema: 30, command: 'demo', mode: 'poll' },
      facts: { emaSpan: 30, levels: 10, intervalSec: 0.25, durationMin: null },
      symbols,
    });
    html = join(dir, 'report.html');
    await writeReport({ out: html, csvPath: csv, metricsPath: json });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens offline and draws every chart with data', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(
      () => (globalThis as unknown as { __obiReport?: { ready: boolean } }).__obiReport?.ready === true,
    );
    const state = await page.evaluate(readState);
    expect(problems).toEqual([]);
    expect(state.errors).toEqual([]);
    // Nothing but the file itself was loaded: no CDN, no fonts, no images.
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(state.symbol).toBe('BTCUSDT');
    for (const chart of ['mid', 'obi', 'leadlag', 'deciles', 'spread_depth', 'quality']) {
      expect(state.charts[chart], chart).toBeGreaterThan(0);
    }
    // The series were drawn, not only the axes: the mid line's navy, obi_ema's blue, the gate's shading.
    expect(await inkPixels(page, '[data-chart="mid"]', [0x1d, 0x35, 0x57])).toBeGreaterThan(300);
    expect(await inkPixels(page, '[data-chart="obi"]', [0x00, 0x72, 0xb2])).toBeGreaterThan(300);
    // Shading is drawn translucent on a transparent canvas: its pixels keep the pure gate colours.
    const shaded =
      (await inkPixels(page, '[data-chart="mid"]', [0xd5, 0x5e, 0x00], 4)) +
      (await inkPixels(page, '[data-chart="mid"]', [0x00, 0x9e, 0x73], 4));
    expect(shaded).toBeGreaterThan(100);
    expect(await inkPixels(page, '[data-chart="deciles"]', [0x00, 0x72, 0xb2])).toBeGreaterThan(50);
    await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });

    await page.click('nav#symbols button[data-symbol="ETHUSDT"]');
    await page.waitForFunction(
      () => (globalThis as unknown as { __obiReport: { symbol: string } }).__obiReport.symbol === 'ETHUSDT',
    );
    const eth = await page.evaluate(readState);
    expect(eth.charts['mid']).toBeGreaterThan(0);
    expect(await page.locator('h2.symbol-title').textContent()).toBe('ETHUSDT');
    await page.screenshot({ path: screenshotPath('report-ethusdt-top.png') });
    await page.close();
  });
});
