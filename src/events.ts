/**
 * The normalised event vocabulary. Every source (REST poller, websocket stream, replay, tardis CSV,
 * simulator) yields these; everything downstream consumes only these.
 *
 * Times: `exchangeTimeMs` is the venue's clock (Binance `E`, or `T`), absent where the venue sends none
 * (REST spot depth has no time in its body). `localTimeMs` is when this process received the bytes
 * (epoch milliseconds, fractional allowed). The two are never mixed: clock skew between them is real
 * (about +1.27 s in some recorded Binance data).
 */

/** A price level as the venue sent it: decimal strings, never re-formatted. */
export type PriceLevel = readonly [price: string, qty: string];

/**
 * One side of a diff's levels as numbers, three entries a level: the price, the quantity, and
 * `pricePlaces * 128 + qtyPlaces`, the fraction digits each was written with. Only levels whose strings
 * `toFixed(places)` gives back exactly are written this way (core/book/parsed-levels.ts), so these
 * numbers and the `[price, qty]` strings say the same thing.
 */
export type ParsedLevels = readonly number[];

/** Which venue and market a stream belongs to. */
export interface Venue {
  /** e.g. `binance`, `binance-us`, `simulator`. */
  readonly exchange: string;
  /** `spot` or `futures` (USD-M). */
  readonly market: 'spot' | 'futures';
}

/** A full replacement of the book (REST `/api/v3/depth` or `/fapi/v1/depth`, or a tardis snapshot row). */
export interface BookSnapshot extends Venue {
  readonly type: 'snapshot';
  readonly symbol: string;
  /** Binance `lastUpdateId`; `null` where the source has none (tardis snapshots). */
  readonly lastUpdateId: number | null;
  /** Best first (descending price). */
  readonly bids: readonly PriceLevel[];
  /** Best first (ascending price). */
  readonly asks: readonly PriceLevel[];
  /**
   * How many levels per side were requested. A side that came back with exactly this many levels is
   * truncated: levels beyond its worst price are unknown (BINANCE.md, "track the depth you actually know").
   * `null` means the snapshot is the whole book.
   */
  readonly depthLimit: number | null;
  readonly exchangeTimeMs: number | null;
  readonly localTimeMs: number;
  /** Poll mode: when the request was sent (epoch ms). */
  readonly requestTimeMs?: number;
}

/** A diff-depth event (Binance `depthUpdate`): absolute quantities, "0" removes the level. */
export interface BookDiff extends Venue {
  readonly type: 'diff';
  readonly symbol: string;
  /** Binance `U`. */
  readonly firstUpdateId: number;
  /** Binance `u`. */
  readonly finalUpdateId: number;
  /** Binance USD-M `pu` (the previous event's `u`); `null` on spot. */
  readonly prevFinalUpdateId: number | null;
  /**
   * The levels as sent. On a diff read by the diff-depth scanner (the live websocket stream and replays)
   * these are getters that write the strings on first read from `bidValues`/`askValues`; copy such a diff
   * with `copyDiff` (core/book/parsed-diff.ts) or JSON, not with an object spread.
   */
  readonly bids: readonly PriceLevel[];
  readonly asks: readonly PriceLevel[];
  /**
   * The same levels already parsed, when the producer parsed them (the diff-depth scanner does): the book
   * applies these and never reads a price string.
   */
  readonly bidValues?: ParsedLevels;
  readonly askValues?: ParsedLevels;
  /** Binance `E`. */
  readonly exchangeTimeMs: number;
  readonly localTimeMs: number;
}

/** One trade (Binance `trade` or `aggTrade`). */
export interface Trade extends Venue {
  readonly type: 'trade';
  readonly symbol: string;
  readonly tradeId: number;
  readonly price: number;
  readonly qty: number;
  /** Binance `m`: true when the buyer was the maker, i.e. the aggressor sold. */
  readonly buyerIsMaker: boolean;
  /** Binance `T` (trade time). */
  readonly exchangeTimeMs: number;
  readonly localTimeMs: number;
}

/**
 * A sample that should have happened but has no data: a poll tick with no answer, a failed request.
 * It becomes a row flagged missing, never a silent hole.
 */
export interface MissingSample extends Venue {
  readonly type: 'missing';
  readonly symbol: string;
  readonly reason: string;
  readonly localTimeMs: number;
  readonly requestTimeMs?: number;
}

/** Lifecycle of one symbol's stream: what a consumer needs to know to trust (or not) the book. */
export interface StreamStatus extends Venue {
  readonly type: 'status';
  readonly symbol: string;
  readonly status: 'connected' | 'synced' | 'gap' | 'resync' | 'stale' | 'disconnected';
  readonly detail: string;
  readonly localTimeMs: number;
}

export type MarketEvent = BookSnapshot | BookDiff | Trade | MissingSample | StreamStatus;
