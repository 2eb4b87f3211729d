/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core (never a
 * downloaded browser), with a fresh profile per launch and no background network. Tests skip when
 * /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

/** Where screenshots go (out/ is gitignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../out/screenshots/', import.meta.url));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data dir; close() removes it. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'obi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport,
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Returns the path of screenshot `name`, creating the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, name);
}

/** Which pixels {@link countPixels} counts. */
type PixelTest =
  | { readonly kind: 'rgb'; readonly rgb: readonly [number, number, number]; readonly tolerance: number }
  | { readonly kind: 'tint'; readonly tint: 'green' | 'orange'; readonly margin: number };

/** Counts the pixels (alpha > 0) of the canvases matched by `selector`, or inside what it matches, that pass `test`. */
function countPixels(page: Page, selector: string, test: PixelTest): Promise<number> {
  return page.evaluate(
    ({ selector, test }) => {
      // Runs in the page; the test project has no DOM types, so the little it uses is typed here.
      interface CanvasLike {
        readonly tagName: string;
        readonly width: number;
        readonly height: number;
        getContext(
          kind: '2d',
        ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
        querySelectorAll(s: string): Iterable<CanvasLike>;
      }
      const doc = (
        globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<CanvasLike> } }
      ).document;
      const canvases: CanvasLike[] = [];
      for (const node of doc.querySelectorAll(selector)) {
        if (node.tagName === 'CANVAS') canvases.push(node);
        else canvases.push(...node.querySelectorAll('canvas'));
      }
      let n = 0;
      for (const canvas of canvases) {
        const ctx = canvas.getContext('2d');
        if (ctx === null || canvas.width === 0 || canvas.height === 0) continue;
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! === 0) continue;
          const r = data[i]!;
          const g = data[i + 1]!;
          const b = data[i + 2]!;
          let hit: boolean;
          if (test.kind === 'rgb') {
            hit =
              Math.abs(r - test.rgb[0]) <= test.tolerance &&
              Math.abs(g - test.rgb[1]) <= test.tolerance &&
              Math.abs(b - test.rgb[2]) <= test.tolerance;
          } else {
            hit = test.tint === 'green' ? g - r >= test.margin && g >= b : r - g >= test.margin && g > b;
          }
          if (hit) n++;
        }
      }
      return n;
    },
    { selector, test },
  );
}

/**
 * Returns how many pixels of the canvases matched by `selector` (or inside what it matches) are within
 * `tolerance` of `rgb` (alpha > 0): proof that a series of that colour was drawn, not just axes.
 */
export function inkPixels(
  page: Page,
  selector: string,
  rgb: readonly [number, number, number],
  tolerance = 24,
): Promise<number> {
  return countPixels(page, selector, { kind: 'rgb', rgb, tolerance });
}

/**
 * Counts pixels whose colour is dominated by one hue, whatever their alpha: the depth heatmap blends its
 * bid green and ask orange with the background by quantity, so an exact-colour count would only see the
 * few saturated cells (and depend on how they happen to overlap). `green`: g exceeds r by `margin` and is
 * at least b; `orange`: r exceeds g by `margin` and g exceeds b.
 */
export function tintPixels(
  page: Page,
  selector: string,
  tint: 'green' | 'orange',
  margin = 30,
): Promise<number> {
  return countPixels(page, selector, { kind: 'tint', tint, margin });
}
