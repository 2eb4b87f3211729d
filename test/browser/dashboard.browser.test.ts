import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DashboardServer } from '../../src/dashboard/dashboard-server.js';
import { feedDashboardByPolling } from '../../src/dashboard/live-feed.js';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { resolveFeatureOptions } from '../../src/options.js';
import {
  HAS_CHROMIUM,
  inkPixels,
  launchChromium,
  screenshotPath,
  tintPixels,
  type Browser,
} from './chromium.js';

interface SymbolStats {
  points: number;
  heatColumns: number;
  bookLevels: number;
  chartPoints: number;
  heatCells: number;
  ladderLevels: number;
}
interface PageStats {
  status: string;
  connects: number;
  snapshots: number;
  deltas: number;
  gaps: number;
  lastSeq: number;
  symbols: Record<string, SymbolStats>;
}

function pageStats(page: Page): Promise<PageStats> {
  return page.evaluate(() =>
    (globalThis as unknown as { __obiDashboard: { stats(): PageStats } }).__obiDashboard.stats(),
  );
}

/**
 * Waits until the page's stats satisfy `test`, polling from here (the page's CSP forbids the string
 * evaluation that page.waitForFunction would use). Gives up after 200 polls.
 */
async function waitForStats(page: Page, test: (s: PageStats) => boolean): Promise<PageStats> {
  let last: PageStats | null = null;
  for (let i = 0; i < 200; i++) {
    last = await pageStats(page);
    if (test(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`the dashboard never got there; last stats: ${JSON.stringify(last)}`);
}

describe.skipIf(!HAS_CHROMIUM)('the live dashboard in Chromium, fed by the simulator', () => {
  let sim: RunningSimulator;
  let dashboard: DashboardServer;
  let browser: Browser;
  const stop = new AbortController();
  let feed: Promise<number>;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7 });
    dashboard = await DashboardServer.start({
      pushIntervalMs: 100,
      heatIntervalMs: 200,
      title: 'obi live — test',
    });
    feed = feedDashboardByPolling({
      dashboard,
      baseUrl: sim.url,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      features: resolveFeatureOptions({ intervalSec: 0.2, levels: 10 }),
      signal: stop.signal,
    });
    browser = await launchChromium({ width: 1280, height: 1000 });
  });

  afterAll(async () => {
    stop.abort();
    await feed?.catch(() => 0);
    await browser?.close();
    await dashboard?.close();
    await sim?.close();
  });

  it('shows the ladder, gauge, chart and heatmap live, survives a busy tab and a dropped connection', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(dashboard.url);
    const stats = await waitForStats(
      page,
      (s) =>
        s.status === 'live' &&
        ['BTCUSDT', 'ETHUSDT'].every((k) => {
          const y = s.symbols[k];
          // Ten heat columns (2 s at 200 ms) so the heatmap's ink does not depend on how far it got.
          return (
            y !== undefined &&
            y.points >= 15 &&
            y.heatColumns >= 10 &&
            y.heatCells >= 150 &&
            y.ladderLevels >= 10
          );
        }),
    );
    expect(stats.gaps).toBe(0);
    expect(stats.symbols['BTCUSDT']!.bookLevels).toBe(20);
    // Drawn, not just laid out: obi_ema's blue in the chart, bid green and ask orange in the heatmap, the needle.
    const card = '[data-symbol="BTCUSDT"]';
    expect(await inkPixels(page, `${card} [data-chart="live"]`, [0x00, 0x72, 0xb2])).toBeGreaterThan(100);
    expect(await tintPixels(page, `${card} .heat`, 'green')).toBeGreaterThan(500);
    expect(await tintPixels(page, `${card} .heat`, 'orange')).toBeGreaterThan(500);
    expect(await inkPixels(page, `${card} .gauge`, [0x1f, 0x29, 0x33])).toBeGreaterThan(50);
    expect(await page.locator(`${card} .lrow.bid .lp`).first().textContent()).toMatch(/^\d+\.\d+$/);

    // A busy tab: the main thread blocked for a while; messages queue up and are applied afterwards.
    const before = (await pageStats(page)).lastSeq;
    await page.evaluate(() => {
      const end = Date.now() + 1500;
      while (Date.now() < end) {
        // busy
      }
    });
    await waitForStats(page, (s) => s.lastSeq > before + 5 && s.status === 'live');
    expect((await pageStats(page)).gaps).toBe(0);

    // The server drops the connection: the page reconnects by itself and starts again from a snapshot.
    const connects = (await pageStats(page)).connects;
    dashboard.dropClients();
    await waitForStats(
      page,
      (s) =>
        s.connects > connects &&
        s.snapshots >= 2 &&
        s.status === 'live' &&
        (s.symbols['BTCUSDT']?.points ?? 0) >= 15,
    );
    await page.waitForTimeout(800);
    await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });

    const origin = new URL(dashboard.url).origin;
    expect(requests.every((u) => u.startsWith(origin))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
