/**
 * The features against what the original Python script computes on the same snapshots
 * (test/fixtures/seed, made by scripts/make-seed-fixture.py): bit for bit, not approximately.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDepthView, type DepthView } from '../../../src/core/book/depth-view.js';
import {
  askVolume,
  bidVolume,
  orderBookImbalance,
  priceWeightedImbalance,
} from '../../../src/core/features/imbalance.js';
import { bestAsk, bestBid, midPrice } from '../../../src/core/features/spread.js';

const SEED = new URL('../../fixtures/seed/', import.meta.url);
const LEVELS = 20; // the fixture's --levels

interface DepthLine {
  readonly k: string;
  readonly d?: { readonly bids: readonly [string, string][]; readonly asks: readonly [string, string][] };
}

function toView(d: NonNullable<DepthLine['d']>): DepthView {
  const view = createDepthView(Math.max(d.bids.length, d.asks.length, 1));
  // Python's float(str) and Number(str) both round the decimal correctly, so the doubles are identical.
  d.bids.forEach(([p, q], i) => {
    view.bidPrices[i] = Number(p);
    view.bidQtys[i] = Number(q);
  });
  d.asks.forEach(([p, q], i) => {
    view.askPrices[i] = Number(p);
    view.askQtys[i] = Number(q);
  });
  view.bidCount = d.bids.length;
  view.askCount = d.asks.length;
  return view;
}

describe('seed agreement', () => {
  const lines = readFileSync(new URL('snapshots.ndjson', SEED), 'utf8')
    .trim()
    .split('\n')
    .slice(1) // the recording header
    .map((l) => JSON.parse(l) as DepthLine);
  const [header, ...rows] = readFileSync(new URL('expected.csv', SEED), 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const expected = rows.map((r) => {
    const cells = r.split(',');
    // The seed writes every float with %.17g, which reads back to the same double; empty = NaN.
    return (name: string) => {
      const cell = cells[columns.indexOf(name)];
      return cell === undefined || cell === '' ? Number.NaN : Number(cell);
    };
  });

  it('has one expected row per snapshot', () => {
    expect(lines.length).toBe(expected.length);
    expect(lines.length).toBeGreaterThan(300);
  });

  it('reproduces best_bid, best_ask, mid, bid_vol_L, ask_vol_L, obi and obi_pw exactly', () => {
    let compared = 0;
    lines.forEach((line, i) => {
      const want = expected[i]!;
      if (line.k !== 'rest_depth' || line.d === undefined) return; // no answer: a NaN row, not a feature
      const v = toView(line.d);
      const got = {
        obi: orderBookImbalance(v, LEVELS),
        obi_pw: priceWeightedImbalance(v, LEVELS),
        mid: midPrice(v),
      };
      if (v.bidCount === 0 || v.askCount === 0) {
        // The seed raises on an empty side and writes NaN; the features give NaN themselves.
        expect(got).toEqual({ obi: Number.NaN, obi_pw: Number.NaN, mid: Number.NaN });
        return;
      }
      expect({
        ...got,
        best_bid: bestBid(v),
        best_ask: bestAsk(v),
        bid_vol_L: bidVolume(v, LEVELS),
        ask_vol_L: askVolume(v, LEVELS),
      }).toStrictEqual({
        obi: want('obi'),
        obi_pw: want('obi_pw'),
        mid: want('mid'),
        best_bid: want('best_bid'),
        best_ask: want('best_ask'),
        bid_vol_L: want('bid_vol_L'),
        ask_vol_L: want('ask_vol_L'),
      });
      compared++;
    });
    expect(compared).toBeGreaterThan(390);
  });
});
