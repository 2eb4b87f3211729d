/**
 * A diff-depth event whose levels were parsed into numbers (ParsedLevels) by the diff-depth scanner.
 * It is a BookDiff like any other: `bids`/`asks` are written from the numbers on first read and kept.
 * A replay or a live stream reads every price once and the book applies the numbers; the strings, and the
 * array per level that JSON.parse would have made, are made only for a consumer that asks for them.
 */
import type { BookDiff, ParsedLevels, PriceLevel } from '../../events.js';
import { parsedLevelStrings } from './parsed-levels.js';

/** The fields of a diff other than its levels. */
export interface DiffHeader {
  readonly exchange: string;
  readonly market: 'spot' | 'futures';
  readonly symbol: string;
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly prevFinalUpdateId: number | null;
  readonly exchangeTimeMs: number;
  readonly localTimeMs: number;
}

export class ParsedDiff implements BookDiff {
  readonly type = 'diff' as const;
  readonly exchange: string;
  readonly market: 'spot' | 'futures';
  readonly symbol: string;
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly prevFinalUpdateId: number | null;
  readonly exchangeTimeMs: number;
  readonly localTimeMs: number;
  #bids: readonly PriceLevel[] | null = null;
  #asks: readonly PriceLevel[] | null = null;

  constructor(
    header: DiffHeader,
    readonly bidValues: ParsedLevels,
    readonly askValues: ParsedLevels,
  ) {
    this.exchange = header.exchange;
    this.market = header.market;
    this.symbol = header.symbol;
    this.firstUpdateId = header.firstUpdateId;
    this.finalUpdateId = header.finalUpdateId;
    this.prevFinalUpdateId = header.prevFinalUpdateId;
    this.exchangeTimeMs = header.exchangeTimeMs;
    this.localTimeMs = header.localTimeMs;
  }

  get bids(): readonly PriceLevel[] {
    return (this.#bids ??= parsedLevelStrings(this.bidValues));
  }

  get asks(): readonly PriceLevel[] {
    return (this.#asks ??= parsedLevelStrings(this.askValues));
  }

  /** The same diff received at another time (the numbers are shared: they are never changed). */
  receivedAt(localTimeMs: number): ParsedDiff {
    return new ParsedDiff({ ...this.header(), localTimeMs }, this.bidValues, this.askValues);
  }

  /** The plain BookDiff, strings only: what JSON.stringify writes. */
  toJSON(): BookDiff {
    return { type: 'diff', ...this.header(), bids: this.bids, asks: this.asks };
  }

  private header(): DiffHeader {
    return {
      exchange: this.exchange,
      market: this.market,
      symbol: this.symbol,
      firstUpdateId: this.firstUpdateId,
      finalUpdateId: this.finalUpdateId,
      prevFinalUpdateId: this.prevFinalUpdateId,
      exchangeTimeMs: this.exchangeTimeMs,
      localTimeMs: this.localTimeMs,
    };
  }
}

/**
 * Returns `diff` with another receive time. An object spread would drop a ParsedDiff's levels (they are
 * getters on its prototype), so copies go through here.
 */
export function copyDiff(diff: BookDiff, localTimeMs: number = diff.localTimeMs): BookDiff {
  if (diff instanceof ParsedDiff) return diff.receivedAt(localTimeMs);
  return { ...diff, localTimeMs };
}

/** Returns `diff` as a plain object with its levels as strings (a ParsedDiff's toJSON; others as they are). */
export function plainDiff(diff: BookDiff): BookDiff {
  return diff instanceof ParsedDiff ? diff.toJSON() : diff;
}
