/**
 * A pass-through stage that publishes every event to the bus before handing it on:
 * `compute(publishEvents(source, bus))`. Every event is published, in source order; a bus outage never
 * stops the stage (events go to the outbox), a full outbox does (OutboxFullError).
 */
import type { MarketEvent } from '../events.js';
import type { BusPublishing } from './bus-publishing.js';

/** Yields each event of `events` after publishing it to `bus`; closes `events` when stopped early. */
export async function* publishEvents<T extends MarketEvent>(
  events: AsyncIterable<T>,
  bus: BusPublishing,
): AsyncGenerator<T> {
  for await (const event of events) {
    await bus.publishEvent(event);
    yield event;
  }
}
