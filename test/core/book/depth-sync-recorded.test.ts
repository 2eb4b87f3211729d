/**
 * Replays real Binance recordings (hftbacktest, see ../shared/data/hftbacktest/PROVENANCE.md) through
 * the parsers and DepthSync, and checks the rebuilt book against the derived golden top-10 checkpoints
 * and against every bookTicker carrying the same update id (an independent exchange feed).
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDepthView } from '../../../src/core/book/depth-view.js';
import { DepthSync } from '../../../src/core/book/depth-sync.js';
import { samePrice } from '../../../src/core/book/price-compare.js';
import type { DepthSyncAction, DepthSyncRules } from '../../../src/core/book/depth-sync.js';
import { parseDepthUpdate, parseRestDepth } from '../../../src/exchanges/binance/parse.js';
import type { ParseContext } from '../../../src/exchanges/binance/parse.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = path.resolve(REPO_ROOT, '../shared/data/hftbacktest');

interface Golden {
  readonly final?: boolean;
  readonly n_applied: number;
  readonly u: number;
  readonly bids: Array<[string, string]>;
  readonly asks: Array<[string, string]>;
  readonly n_bid_levels: number;
  readonly n_ask_levels: number;
  readonly bookTicker_matches?: number;
}

interface Ticker {
  readonly u: number;
  readonly b: string;
  readonly B: string;
  readonly a: string;
  readonly A: string;
}

interface ReplayResult {
  readonly sync: DepthSync;
  readonly goldenChecked: number;
  readonly goldenSkipped: number;
  readonly tickerMatches: number;
  readonly tickerMismatches: string[];
  readonly crossed: number;
  readonly fullWindowCheckpoints: number;
}

async function replay(
  files: readonly string[],
  market: 'spot' | 'futures',
  rules: DepthSyncRules,
  golden: readonly Golden[],
): Promise<ReplayResult> {
  const sync = new DepthSync({ symbol: 'BTCUSDT', rules });
  const byU = new Map<number, Golden>();
  for (const g of golden) if (g.final !== true) byU.set(g.u, g);
  const view = createDepthView(10);
  const pendingTickers = new Map<number, Ticker>();
  const mismatches: string[] = [];
  let tickerMatches = 0;
  let goldenChecked = 0;
  const checked = new Set<number>();
  let crossed = 0;
  let fullWindowCheckpoints = 0;
  let firstSyncApplied = 0;

  // The recordings' 1000-level snapshots stop about 150-200 USD from the touch and the price later moves
  // past that edge, so the touch can lie outside the known window. Like the checker that produced the
  // golden files, compare the whole stored book; readTop is checked to be a prefix of it.
  const checkTicker = (t: Ticker): void => {
    const bid = sync.book.levels('bids')[0];
    const ask = sync.book.levels('asks')[0];
    const ok =
      bid !== undefined &&
      ask !== undefined &&
      samePrice(bid[0], t.b) &&
      samePrice(bid[1], t.B) &&
      samePrice(ask[0], t.a) &&
      samePrice(ask[1], t.A);
    if (ok) tickerMatches++;
    else
      mismatches.push(
        `u=${t.u}: ticker ${t.b}/${t.B} x ${t.a}/${t.A}, book ${bid?.join('/')} x ${ask?.join('/')}`,
      );
  };
  const checkReadTop = (g: Golden): void => {
    sync.book.readTop(10, view);
    expect(view.bidCount).toBe(Math.min(10, sync.book.knownBidDepth));
    expect(view.askCount).toBe(Math.min(10, sync.book.knownAskDepth));
    if (view.bidCount === 10 && view.askCount === 10) fullWindowCheckpoints++;
    const n = view.bidCount;
    expect(Array.from(view.bidPrices.subarray(0, n))).toEqual(g.bids.slice(0, n).map((l) => Number(l[0])));
    expect(Array.from(view.bidQtys.subarray(0, n))).toEqual(g.bids.slice(0, n).map((l) => Number(l[1])));
    const m = view.askCount;
    expect(Array.from(view.askPrices.subarray(0, m))).toEqual(g.asks.slice(0, m).map((l) => Number(l[0])));
    expect(Array.from(view.askQtys.subarray(0, m))).toEqual(g.asks.slice(0, m).map((l) => Number(l[1])));
  };
  const onAction = (action: DepthSyncAction): void => {
    if (action.type === 'synced' && sync.counters.syncs === 1) firstSyncApplied = action.applied;
    if (action.type !== 'applied' && action.type !== 'synced') return;
    const u = action.updateId;
    if (sync.book.isCrossed()) crossed++;
    const g = byU.get(u);
    if (g !== undefined) {
      goldenChecked++;
      checked.add(u);
      expect(sync.counters.applied).toBe(g.n_applied);
      expect(sync.book.levels('bids').slice(0, 10)).toEqual(g.bids);
      expect(sync.book.levels('asks').slice(0, 10)).toEqual(g.asks);
      expect(sync.book.bidCount).toBe(g.n_bid_levels);
      expect(sync.book.askCount).toBe(g.n_ask_levels);
      checkReadTop(g);
    }
    const t = pendingTickers.get(u);
    if (t !== undefined) {
      pendingTickers.delete(u);
      checkTicker(t);
    }
    if (pendingTickers.size > 512) for (const k of pendingTickers.keys()) if (k < u) pendingTickers.delete(k);
  };

  for (const file of files) {
    const lines = createInterface({ input: createReadStream(path.join(DIR, file)).pipe(createGunzip()) });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      const space = line.indexOf(' ');
      const json = line.slice(space + 1);
      // Trades are a third of the lines and irrelevant here: skip them before JSON.parse.
      if (json.startsWith('{"stream":"btcusdt@trade"')) continue;
      const ctx: ParseContext = {
        exchange: 'binance',
        market,
        symbol: 'BTCUSDT',
        localTimeMs: Number(line.slice(0, space)) / 1e6,
        source: `${file}:${lineNo}`,
      };
      const msg = JSON.parse(json) as { stream?: string; data?: unknown };
      if (msg.stream === undefined) {
        onAction(sync.onSnapshot(parseRestDepth(msg, { ...ctx, depthLimit: 1000 })));
      } else if (msg.stream.includes('@depth')) {
        onAction(sync.onDiff(parseDepthUpdate(msg.data, ctx)));
      } else if (msg.stream.endsWith('@bookTicker')) {
        const t = msg.data as Ticker;
        if (sync.state === 'synced' && t.u === sync.updateId) checkTicker(t);
        else if (sync.updateId === null || t.u > sync.updateId) pendingTickers.set(t.u, t);
      }
    }
  }
  // Checkpoints passed inside the first sync (several buffered diffs applied at once) cannot be seen.
  const goldenSkipped = [...byU.values()].filter(
    (g) => !checked.has(g.u) && g.n_applied < firstSyncApplied,
  ).length;
  return {
    sync,
    goldenChecked,
    goldenSkipped,
    tickerMatches,
    tickerMismatches: mismatches,
    crossed,
    fullWindowCheckpoints,
  };
}

function loadGolden(name: string): Golden[] {
  return readFileSync(path.join(DIR, 'derived', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Golden);
}

function checkFinal(result: ReplayResult, golden: readonly Golden[]): void {
  const final = golden.find((g) => g.final === true);
  expect(final).toBeDefined();
  const f = final as Golden;
  const { sync } = result;
  expect(sync.state).toBe('synced');
  expect(sync.updateId).toBe(f.u);
  expect(sync.counters.applied).toBe(f.n_applied);
  expect(sync.book.levels('bids').slice(0, 10)).toEqual(f.bids);
  expect(sync.book.levels('asks').slice(0, 10)).toEqual(f.asks);
  expect(sync.book.bidCount).toBe(f.n_bid_levels);
  expect(sync.book.askCount).toBe(f.n_ask_levels);
  expect(result.tickerMismatches).toEqual([]);
  expect(result.tickerMatches).toBe(f.bookTicker_matches);
  expect(result.crossed).toBe(0);
  expect(sync.counters.gaps).toBe(0);
  expect(sync.counters.syncs).toBe(1);
  const checkpoints = golden.filter((g) => g.final !== true).length;
  expect(result.goldenChecked + result.goldenSkipped).toBe(checkpoints);
  expect(result.goldenChecked).toBeGreaterThanOrEqual(checkpoints - 1);
}

describe.skipIf(!existsSync(DIR))('DepthSync on recorded Binance data (hftbacktest)', () => {
  it('rebuilds spot BTCUSDT 2024-08-08/09 across the file boundary', async () => {
    const golden = loadGolden('golden_spot_btcusdt_20240808-09.jsonl');
    const result = await replay(
      ['spot/btcusdt_20240808.gz', 'spot/btcusdt_20240809.gz'],
      'spot',
      'spot',
      golden,
    );
    checkFinal(result, golden);
    // PROVENANCE.md: 6495 diffs, 2 dropped before sync, 6493 applied.
    expect(result.sync.counters.ignored).toBe(2);
    expect(result.fullWindowCheckpoints).toBeGreaterThan(0);
  });

  it('rebuilds USD-M BTCUSDT 2024-08-08 with pu chaining', async () => {
    const golden = loadGolden('golden_usdm_btcusdt_20240808.jsonl');
    const result = await replay(['usdm/btcusdt_20240808.gz'], 'futures', 'futures', golden);
    checkFinal(result, golden);
    expect(result.sync.counters.ignored).toBe(4);
    expect(result.fullWindowCheckpoints).toBeGreaterThan(0);
  });
});
