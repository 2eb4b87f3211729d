/**
 * Real Binance captures (../shared/data/hftbacktest: raw combined-stream messages with the REST snapshot
 * inline, spot `@depth@100ms` and USD-M `@depth@0ms`) through the diff sampler: the books must match the
 * golden top-10 checkpoints derived from the same files (which agreed with every bookTicker), with one
 * sync and no gap. Skipped when the data folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MarketEvent, StreamStatus, Venue } from '../../src/events.js';
import { parseDepthUpdate, parseRestDepth } from '../../src/exchanges/binance/parse.js';
import type { DiffBookKeeper, SnapshotRequest } from '../../src/pipeline/diff-book-keeper.js';
import { sampleDiffs } from '../../src/pipeline/diff-sampler.js';
import { copySample, from } from './diff-events.js';

const DATA = resolve(import.meta.dirname, '../../../shared/data/hftbacktest');

interface Golden {
  readonly n_applied: number;
  readonly u: number;
  readonly bids: [string, string][];
  readonly asks: [string, string][];
}

/** Reads `<ns> <json>` lines as obi events (depth diffs and the REST snapshot; other streams skipped). */
function readCapture(files: readonly string[], symbol: string, venue: Venue): MarketEvent[] {
  const events: MarketEvent[] = [];
  for (const file of files) {
    const text = gunzipSync(readFileSync(resolve(DATA, file))).toString('utf8');
    for (const line of text.split('\n')) {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      const localTimeMs = Number(line.slice(0, space)) / 1e6;
      const value = JSON.parse(line.slice(space + 1)) as Record<string, unknown>;
      const ctx = { ...venue, symbol, localTimeMs, source: file };
      if (typeof value['stream'] === 'string') {
        const data = value['data'] as Record<string, unknown>;
        if (data['e'] === 'depthUpdate') events.push(parseDepthUpdate(data, ctx));
      } else {
        events.push(parseRestDepth(value, { ...ctx, depthLimit: 1000 }));
      }
    }
  }
  return events;
}

function goldens(file: string): Golden[] {
  return readFileSync(resolve(DATA, 'derived', file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Golden);
}

interface Replayed {
  readonly statuses: StreamStatus[];
  readonly requests: SnapshotRequest[];
  /** Top 10 of the whole stored book (levels beyond the known window included) at each checkpoint id. */
  readonly atCheckpoint: Map<number, { bids: [string, string][]; asks: [string, string][] }>;
  /** Ok samples whose known-window view is not the start of the stored book. */
  readonly inconsistent: number;
  /** Ok samples whose view holds fewer than 10 bids or asks (the known window ran short). */
  readonly short: number;
}

/**
 * Golden checkpoints come from a rebuild that keeps every level; obi's view stops at the snapshot's known
 * window (BINANCE.md), so checkpoints are compared with the whole stored book.
 */
async function replay(events: readonly MarketEvent[], ids: ReadonlySet<number>): Promise<Replayed> {
  const out: Replayed = { statuses: [], requests: [], atCheckpoint: new Map(), inconsistent: 0, short: 0 };
  let keeper: DiffBookKeeper | null = null;
  const samples = sampleDiffs(from(events), {
    sample: 'event',
    depth: 10,
    onStatus: (s) => out.statuses.push(s),
    onSnapshotNeeded: (r) => out.requests.push(r),
    onKeeper: (k) => {
      keeper = k;
    },
  });
  let inconsistent = 0;
  let short = 0;
  for await (const s of samples) {
    if ('type' in s || s.status !== 'ok') continue;
    const book = (keeper as DiffBookKeeper | null)?.book(s.symbol);
    if (book === null || book === undefined) continue;
    const all = { bids: book.levels('bids').slice(0, 10), asks: book.levels('asks').slice(0, 10) };
    const view = copySample(s);
    const prefix = (v: [number, number][], a: [string, string][]): boolean =>
      v.every(([p, q], i) => a[i] !== undefined && Number(a[i][0]) === p && Number(a[i][1]) === q);
    if (!prefix(view.bids, all.bids) || !prefix(view.asks, all.asks)) inconsistent++;
    if (view.bids.length < 10 || view.asks.length < 10) short++;
    const id = s.lastUpdateId as number;
    if (ids.has(id) && !out.atCheckpoint.has(id)) out.atCheckpoint.set(id, all);
  }
  return { ...out, inconsistent, short };
}

function expectCheckpoints(run: Replayed, checkpoints: readonly Golden[]): void {
  for (const g of checkpoints) {
    // The first applied diff was buffered before the snapshot and applied when the snapshot came: event
    // samples are taken per arriving diff, so no sample shows the book at exactly that id.
    if (g.n_applied === 1) continue;
    const book = run.atCheckpoint.get(g.u);
    expect(book, `a sample at u=${g.u}`).toBeDefined();
    expect(book?.bids).toEqual(g.bids);
    expect(book?.asks).toEqual(g.asks);
  }
  expect(run.inconsistent).toBe(0);
}

describe.skipIf(!existsSync(DATA))('diff sampler on real Binance captures', () => {
  it('spot BTCUSDT over two files: every golden checkpoint, one sync, no gap', async () => {
    const events = readCapture(['spot/btcusdt_20240808.gz', 'spot/btcusdt_20240809.gz'], 'BTCUSDT', {
      exchange: 'binance',
      market: 'spot',
    });
    const checkpoints = goldens('golden_spot_btcusdt_20240808-09.jsonl');
    const run = await replay(events, new Set(checkpoints.map((g) => g.u)));
    expect(run.statuses.map((s) => s.status)).toEqual(['synced']);
    expect(checkpoints.length).toBeGreaterThan(10);
    expectCheckpoints(run, checkpoints);
    // BTC fell about $200 in the first minutes: the 1000-level snapshot's known bid window ran out, the
    // view stopped reading beyond it, and the keeper asked (once) for a fresh snapshot.
    expect(run.short).toBeGreaterThan(0);
    expect(run.requests.map((r) => r.reason)).toEqual(['sync', 'refresh']);
  });

  it('USD-M BTCUSDT with pu chaining: every golden checkpoint, one sync, no gap', async () => {
    const events = readCapture(['usdm/btcusdt_20240808.gz'], 'BTCUSDT', {
      exchange: 'binance',
      market: 'futures',
    });
    const checkpoints = goldens('golden_usdm_btcusdt_20240808.jsonl');
    const run = await replay(events, new Set(checkpoints.map((g) => g.u)));
    expect(run.statuses.map((s) => s.status)).toEqual(['synced']);
    expectCheckpoints(run, checkpoints);
  });
});
