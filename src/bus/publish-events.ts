/**
 * A pass-through stage that publishes each event to the bus before handing it on:
 * `sampleDiffs(publishEvents(stream, bus), …)`. What is published is what a recording keeps: snapshots,
 * diffs, trades and missing samples, in source order. Clock marks (a live source's "time has passed") and
 * status changes are handed on but not published: a consumer's own book keeper derives both from the
 * events, as a replay does. A bus outage never stops the stage (events go to the outbox); a full outbox
 * does (OutboxFullError).
 */
import type { MarketEvent } from '../events.js';
import type { BusPublishing } from './bus-publishing.js';

/** Returns true for the events a consumer needs to rebuild books and rows. */
export function isPublishedEvent(item: { readonly type: string }): item is MarketEvent {
  return item.type === 'snapshot' || item.type === 'diff' || item.type === 'trade' || item.type === 'missing';
}

/** Yields each item of `source` after publishing it (when it is a published kind); closes `source` when stopped early. */
export async function* publishEvents<T extends { readonly type: string }>(
  source: AsyncIterable<T>,
  bus: BusPublishing,
): AsyncGenerator<T> {
  for await (const item of source) {
    if (isPublishedEvent(item)) await bus.publishEvent(item);
    yield item;
  }
}
