/** Turns polled events back into recording lines (the REST body as received: lastUpdateId, bids, asks). */
import type { MarketEvent } from '../events.js';
import type { RecordingWriter } from '../io/recording-writer.js';

export function recordPolledEvent(recorder: RecordingWriter, e: MarketEvent, limit: number): void {
  if (e.type === 'snapshot') {
    recorder.write({
      t: e.localTimeMs,
      k: 'rest_depth',
      s: e.symbol,
      lim: limit,
      ts: e.requestTimeMs ?? e.localTimeMs,
      d:
        e.exchangeTimeMs === null
          ? { lastUpdateId: e.lastUpdateId, bids: e.bids, asks: e.asks }
          : { lastUpdateId: e.lastUpdateId, E: e.exchangeTimeMs, bids: e.bids, asks: e.asks },
    });
  } else if (e.type === 'missing') {
    recorder.write({
      t: e.localTimeMs,
      k: 'rest_missing',
      s: e.symbol,
      r: e.reason,
      ts: e.requestTimeMs ?? e.localTimeMs,
    });
  }
}
