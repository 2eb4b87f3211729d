/** Small builders of diff-sampler inputs for tests (Binance spot unless a `pu` is given). */
import type { BookSample } from '../../src/core/book-sample.js';
import type { BookDiff, BookSnapshot, MissingSample, PriceLevel, Trade } from '../../src/events.js';
import type { ClockMark } from '../../src/pipeline/clock-mark.js';

export function diff(
  symbol: string,
  U: number,
  u: number,
  t: number,
  bids: PriceLevel[] = [],
  asks: PriceLevel[] = [],
  pu: number | null = null,
): BookDiff {
  return {
    type: 'diff',
    exchange: 'binance',
    market: pu === null ? 'spot' : 'futures',
    symbol,
    firstUpdateId: U,
    finalUpdateId: u,
    prevFinalUpdateId: pu,
    bids,
    asks,
    exchangeTimeMs: t - 1,
    localTimeMs: t,
  };
}

export function snapshot(
  symbol: string,
  lastUpdateId: number,
  t: number,
  bids: PriceLevel[] = [['99', '1']],
  asks: PriceLevel[] = [['101', '1']],
  depthLimit: number | null = null,
): BookSnapshot {
  return {
    type: 'snapshot',
    exchange: 'binance',
    market: 'spot',
    symbol,
    lastUpdateId,
    bids,
    asks,
    depthLimit,
    exchangeTimeMs: null,
    localTimeMs: t,
  };
}

export function missing(symbol: string, t: number, reason = 'disconnected: test'): MissingSample {
  return { type: 'missing', exchange: 'binance', market: 'spot', symbol, reason, localTimeMs: t };
}

export function clock(t: number): ClockMark {
  return { type: 'clock', localTimeMs: t };
}

/** A sample with its view copied out (views are reused by the sampler). */
export interface SampleCopy {
  readonly symbol: string;
  readonly timeMs: number;
  readonly status: string;
  readonly reason: string;
  readonly lastUpdateId: number | null;
  readonly exchangeTimeMs: number | null;
  readonly receiveTimeMs: number | null;
  readonly bids: [number, number][];
  readonly asks: [number, number][];
}

export function copySample(s: BookSample): SampleCopy {
  const v = s.view;
  return {
    symbol: s.symbol,
    timeMs: s.timeMs,
    status: s.status,
    reason: s.reason,
    lastUpdateId: s.lastUpdateId,
    exchangeTimeMs: s.exchangeTimeMs,
    receiveTimeMs: s.receiveTimeMs,
    bids: Array.from({ length: v.bidCount }, (_, i) => [v.bidPrices[i] as number, v.bidQtys[i] as number]),
    asks: Array.from({ length: v.askCount }, (_, i) => [v.askPrices[i] as number, v.askQtys[i] as number]),
  };
}

export async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** Collects the samples (copied) of a sampler run, dropping passed-through trades. */
export async function collect(samples: AsyncIterable<BookSample | Trade>): Promise<SampleCopy[]> {
  const out: SampleCopy[] = [];
  for await (const s of samples) if (!('type' in s)) out.push(copySample(s));
  return out;
}
