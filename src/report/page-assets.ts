/**
 * What a page inlines so it works offline: uPlot's browser build and stylesheet, read from node_modules at
 * run time (never a CDN), and obi's own browser scripts.
 *
 * Why uPlot (https://github.com/leeoniya/uPlot, MIT): about 50 kB minified with no dependencies, canvas
 * rendering that draws a million points in tens of milliseconds, aligned time-series data (exactly the shape
 * of our downsampled buckets), bands for confidence intervals and draw hooks for shading regimes; it is
 * actively maintained. ECharts does more but weighs about 1 MB; lightweight-charts is built for candles and
 * has no bands or category axes.
 *
 * obi's browser scripts are plain ES2020 files under `client/` next to the module that serves them
 * (type-checked with scripts/tsconfig.client.json). After `npm run build` they are also copied to
 * `dist/client/` (scripts/copy-client-assets.mjs); a build that lacks them falls back to the source tree.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ObiError } from '../errors.js';

/** A page asset that could not be read (a broken install or build). */
export class PageAssetError extends ObiError {
  override name = 'PageAssetError';
  constructor(
    message: string,
    readonly asset: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** uPlot's browser build and stylesheet. */
export interface UplotAssets {
  readonly js: string;
  readonly css: string;
}

const require = createRequire(import.meta.url);

/** Returns uPlot's minified IIFE build (defines `window.uPlot`) and its CSS, from node_modules. */
export async function loadUplotAssets(): Promise<UplotAssets> {
  const read = async (specifier: string): Promise<string> => {
    try {
      return await readFile(require.resolve(specifier), 'utf8');
    } catch (error) {
      throw new PageAssetError(
        `cannot read ${specifier} (is the uplot package installed? run npm install)`,
        specifier,
        { cause: error },
      );
    }
  };
  const [js, css] = await Promise.all([
    read('uplot/dist/uPlot.iife.min.js'),
    read('uplot/dist/uPlot.min.css'),
  ]);
  return { js, css };
}

/**
 * Returns the text of browser asset `name` of `folder` (`report` or `dashboard`): next to this module
 * (source tree: src/<folder>/client/; build: dist/client/), else the source tree beside dist/.
 */
export async function loadClientAsset(folder: 'report' | 'dashboard', name: string): Promise<string> {
  const candidates = [
    new URL(`../${folder}/client/${name}`, import.meta.url),
    new URL(`./client/${name}`, import.meta.url),
    new URL(`../src/${folder}/client/${name}`, import.meta.url),
  ];
  for (const url of candidates) {
    try {
      return await readFile(fileURLToPath(url), 'utf8');
    } catch {
      // Try the next place.
    }
  }
  throw new PageAssetError(
    `cannot find the page script ${folder}/client/${name} (run npm run build, or reinstall obi)`,
    name,
  );
}

/**
 * Returns `text` safe inside an inline `<script>` or `<style>`: no `</script`, `</style` or `<!--` can end or
 * confuse the element (`<\/` means `</` in a JS string or regex and in CSS alike).
 */
export function inlineScriptText(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Returns `value` as JSON safe inside an inline `<script type="application/json">`. */
export function inlineJson(value: unknown): string {
  // `<` as \u003c keeps `</script>` and `<!--` out; U+2028/9 are valid JSON but not always valid script.
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  )
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Returns `text` escaped for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
