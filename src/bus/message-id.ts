/**
 * Message ids for JetStream de-duplication (`Nats-Msg-Id`: the stream drops a message whose id it stored
 * within its duplicate window; NATS docs, "JetStream Model Deep Dive", Message Deduplication). An id is
 * derived from the data itself, never from a counter, so the same row or event re-sent after an outage, or
 * by a restarted collector replaying its outbox, gets the same id and is stored once.
 */
import type { MarketEvent } from '../events.js';
import type { BusVenue } from './bus-subject.js';

/**
 * Returns the id of one feature row: venue, symbol and the row's time (`time_ms`, the sample's time; one
 * row per symbol per sample, so unique per symbol).
 */
export function rowMessageId(venue: BusVenue, symbol: string, timeMs: number): string {
  return `${venue.exchange}.${venue.market}.${symbol}.r.${String(timeMs)}`;
}

/**
 * Returns the id of one normalised event, from what identifies it at the venue: a diff by its update-id
 * range (Binance `U`-`u`), a trade by its id, a snapshot by `lastUpdateId` and receive time (two polls of
 * an unchanged book share a `lastUpdateId` but are two samples), missing samples and status changes by
 * their local time.
 */
export function eventMessageId(event: MarketEvent): string {
  const head = `${event.exchange}.${event.market}.${event.symbol}`;
  switch (event.type) {
    case 'diff':
      return `${head}.d.${event.firstUpdateId}-${event.finalUpdateId}`;
    case 'trade':
      return `${head}.t.${event.tradeId}`;
    case 'snapshot':
      return `${head}.s.${event.lastUpdateId ?? 'x'}@${String(event.localTimeMs)}`;
    case 'missing':
      return `${head}.m.${String(event.localTimeMs)}`;
    case 'status':
      return `${head}.st.${event.status}@${String(event.localTimeMs)}`;
  }
}
