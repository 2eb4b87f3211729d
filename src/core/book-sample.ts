import type { DepthView } from './book/depth-view.js';

/**
 * Why a sample has (or has no) trustworthy book:
 * - `ok`: a book was read;
 * - `missing`: the tick produced no data (no answer, error, rate limit): every book column is empty;
 * - `unsynced`: a stream's local book is not in sync with the venue (before the first sync, after a gap):
 *   never computed from a broken book, so every book column is empty too.
 */
export type SampleStatus = 'ok' | 'missing' | 'unsynced';

/** One point in time of one symbol's book, as the sampler hands it to the feature engine. */
export interface BookSample {
  readonly symbol: string;
  /** The row's timestamp (epoch ms): the local receive time of the data (poll) or the tick time (cadence). */
  readonly timeMs: number;
  readonly status: SampleStatus;
  /** Free text for `missing`/`unsynced` samples (e.g. "timeout after 8000 ms"). */
  readonly reason: string;
  /** The book's update id (Binance lastUpdateId / u), when known. */
  readonly lastUpdateId: number | null;
  /** Venue time of the data (Binance E), when known. */
  readonly exchangeTimeMs: number | null;
  /** Local receive time of the data the book reflects. */
  readonly receiveTimeMs: number | null;
  /** Poll mode: when the request was sent. */
  readonly requestTimeMs: number | null;
  /** Top levels, best first, within the known-depth window. Only meaningful when status is `ok`. */
  readonly view: DepthView;
  /** Best bid above best ask (never "fixed"; reported). */
  readonly crossed: boolean;
  /** Best bid equals best ask. */
  readonly locked: boolean;
}
