import { describe, expect, it } from 'vitest';
import { resampleToGrid } from '../../src/pipeline/resample.js';
import { createDepthView } from '../../src/core/book/depth-view.js';
import type { BookSample } from '../../src/core/book-sample.js';
import type { Trade } from '../../src/events.js';

function sample(symbol: string, timeMs: number, bid: number): BookSample {
  const view = createDepthView(1);
  view.bidPrices[0] = bid;
  view.bidQtys[0] = 1;
  view.askPrices[0] = bid + 1;
  view.askQtys[0] = 1;
  view.bidCount = 1;
  view.askCount = 1;
  return {
    symbol,
    timeMs,
    status: 'ok',
    reason: '',
    lastUpdateId: null,
    exchangeTimeMs: null,
    receiveTimeMs: timeMs,
    requestTimeMs: null,
    view,
    crossed: false,
    locked: false,
  };
}

async function collect(input: (BookSample | Trade)[], intervalMs: number, maxStaleMs?: number) {
  const out: { symbol: string; t: number; bid: number; status: string }[] = [];
  async function* gen() {
    yield* input;
  }
  for await (const s of resampleToGrid(gen(), intervalMs, 1, maxStaleMs)) {
    if ('type' in s) continue;
    out.push({
      symbol: s.symbol,
      t: s.timeMs,
      bid: s.view.bidCount > 0 ? s.view.bidPrices[0]! : NaN,
      status: s.status,
    });
  }
  return out;
}

describe('resampleToGrid (as-of a fixed grid)', () => {
  it('emits the latest state at or before each tick, exact ticks included', async () => {
    const rows = await collect(
      [
        sample('A', 1000, 10),
        sample('A', 1250, 11),
        sample('A', 1999, 12),
        sample('A', 2000, 13),
        sample('A', 3500, 14),
      ],
      1000,
    );
    expect(rows).toEqual([
      { symbol: 'A', t: 1000, bid: 10, status: 'ok' },
      { symbol: 'A', t: 2000, bid: 13, status: 'ok' },
      { symbol: 'A', t: 3000, bid: 13, status: 'ok' },
    ]);
  });

  it('marks a symbol missing when its latest state is too old', async () => {
    const rows = await collect([sample('A', 1000, 10), sample('A', 5001, 11)], 1000, 1500);
    expect(rows.map((r) => `${r.t}:${r.status}`)).toEqual([
      '1000:ok',
      '2000:ok',
      '3000:missing',
      '4000:missing',
      '5000:missing',
    ]);
  });

  it('keeps every symbol on the same ticks', async () => {
    const rows = await collect([sample('A', 900, 10), sample('B', 950, 20), sample('A', 2100, 11)], 1000);
    expect(rows).toEqual([
      { symbol: 'A', t: 1000, bid: 10, status: 'ok' },
      { symbol: 'B', t: 1000, bid: 20, status: 'ok' },
      { symbol: 'A', t: 2000, bid: 10, status: 'ok' },
      { symbol: 'B', t: 2000, bid: 20, status: 'ok' },
    ]);
  });
});
