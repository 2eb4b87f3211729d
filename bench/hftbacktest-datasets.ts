/**
 * Real Binance diff-depth recordings from ../shared/data/hftbacktest (see its PROVENANCE.md), turned into
 * obi recording lines in memory: each `<receive ns> <raw JSON>` depth message becomes a `ws` line and the
 * inline REST snapshot a `rest_depth` line (limit 1000). bookTicker and trade messages are left out, so
 * every lane sees the same diffs. Files of one recording (`_20240808` → `_20240809`) and the symbols of
 * one market are merged by receive time, as one multi-symbol stream.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { BinanceMarketKind, ReplayDataset } from './replay-dataset.js';

/** Where the recordings are: ../shared/data/hftbacktest next to the repository. */
export const HFTBACKTEST_DIR = fileURLToPath(new URL('../../shared/data/hftbacktest/', import.meta.url));

/** The limit the hftbacktest recorder fetched its snapshots with (PROVENANCE.md). */
const SNAPSHOT_LIMIT = 1000;

interface Source {
  readonly name: string;
  readonly market: BinanceMarketKind;
  /** Per symbol, its files in time order. */
  readonly symbols: ReadonlyArray<{ readonly symbol: string; readonly files: readonly string[] }>;
}

const SOURCES: readonly Source[] = [
  {
    name: 'hftbacktest spot BTCUSDT+ETHUSDT @depth@100ms (650 s)',
    market: 'spot',
    symbols: [
      { symbol: 'BTCUSDT', files: ['spot/btcusdt_20240808.gz', 'spot/btcusdt_20240809.gz'] },
      { symbol: 'ETHUSDT', files: ['spot/ethusdt_20240808.gz', 'spot/ethusdt_20240809.gz'] },
    ],
  },
  {
    name: 'hftbacktest USD-M BTCUSDT+ETHUSDT @depth@0ms (345 s)',
    market: 'usdm',
    symbols: [
      { symbol: 'BTCUSDT', files: ['usdm/btcusdt_20240808.gz'] },
      { symbol: 'ETHUSDT', files: ['usdm/ethusdt_20240808.gz'] },
    ],
  },
  {
    name: 'hftbacktest COIN-M BTCUSD_PERP @depth@0ms (648 s)',
    market: 'coinm',
    symbols: [{ symbol: 'BTCUSD_PERP', files: ['cm/btcusd_perp_20240808.gz', 'cm/btcusd_perp_20240809.gz'] }],
  },
];

interface Timed {
  readonly t: number;
  readonly line: string;
  readonly levels: number;
  readonly diff: boolean;
}

function linesOf(dir: string, symbol: string, files: readonly string[]): Timed[] {
  const out: Timed[] = [];
  for (const file of files) {
    const text = gunzipSync(readFileSync(join(dir, file))).toString('utf8');
    for (const raw of text.split('\n')) {
      const space = raw.indexOf(' ');
      if (space < 0) continue;
      const json = raw.slice(space + 1);
      // Receive time in ns (2024 files) → epoch ms.
      const t = Number(raw.slice(0, space)) / 1e6;
      if (json.includes('"stream"')) {
        if (!json.includes('@depth')) continue;
        const data = (JSON.parse(json) as { data: { b: unknown[]; a: unknown[] } }).data;
        out.push({
          t,
          line: `{"t":${t},"k":"ws","d":${json}}`,
          levels: data.b.length + data.a.length,
          diff: true,
        });
      } else {
        const line = `{"t":${t},"k":"rest_depth","s":"${symbol}","lim":${SNAPSHOT_LIMIT},"d":${json}}`;
        out.push({ t, line, levels: 0, diff: false });
      }
    }
  }
  return out;
}

/** Returns the hftbacktest datasets found under `dir` (none when it is absent). */
export function loadHftbacktestDatasets(dir: string): ReplayDataset[] {
  if (!existsSync(dir)) return [];
  const datasets: ReplayDataset[] = [];
  for (const source of SOURCES) {
    if (!source.symbols.every((s) => s.files.every((f) => existsSync(join(dir, f))))) continue;
    const merged = source.symbols
      .flatMap((s) => linesOf(dir, s.symbol, s.files))
      // Stable sort: a symbol's own lines keep their recorded order.
      .sort((a, b) => a.t - b.t);
    const header = JSON.stringify({
      obi_recording: 1,
      created_ms: Math.floor(merged[0]?.t ?? 0),
      exchange: 'binance',
      market: source.market === 'spot' ? 'spot' : 'futures',
      note: source.name,
    });
    const diffs = merged.filter((m) => m.diff);
    datasets.push({
      name: source.name,
      market: source.market,
      lines: [header, ...merged.map((m) => m.line)],
      diffs: diffs.length,
      symbols: source.symbols.length,
      levelsPerDiff: diffs.reduce((sum, m) => sum + m.levels, 0) / Math.max(1, diffs.length),
    });
  }
  return datasets;
}
