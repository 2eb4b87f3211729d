/**
 * `--publish nats://…` and `--sink postgres://…` on a live run: rows (and, when asked, the normalised
 * events) go to NATS JetStream through a bounded on-disk outbox, and rows into PostgreSQL in COPY batches
 * (docs/scale-out.md).
 */
import { BusPublishing } from '../bus/bus-publishing.js';
import { parseBusUrl } from '../bus/bus-url.js';
import { NatsRowPublisher } from '../bus/nats-row-publisher.js';
import { publishEvents } from '../bus/publish-events.js';
import { PostgresSink, parsePostgresUrl } from '../io/sinks/postgres-sink.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import type { Venue } from '../events.js';

export interface ScaleOutOutputs {
  readonly sinks: RowSink[];
  /** Passes events through, publishing them when `--publish …?publish=events` asked for it. */
  tapEvents<T extends { readonly type: string }>(source: AsyncIterable<T>): AsyncIterable<T>;
  close(log: NodeJS.WriteStream): Promise<void>;
}

/** What the metrics JSON records of these URLs: never a password. */
export function scaleOutConfig(publish: string | null, sinkUrls: readonly string[]): Record<string, unknown> {
  return {
    publish: publish === null ? null : parseBusUrl(publish).display,
    sinks: sinkUrls.map((u) => parsePostgresUrl(u).display),
  };
}

export async function openScaleOutOutputs(
  o: {
    readonly publish: string | null;
    readonly sinkUrls: readonly string[];
    readonly venue: Venue;
    readonly symbols: readonly string[];
    readonly quiet: boolean;
  },
  columns: readonly string[],
  log: NodeJS.WriteStream,
): Promise<ScaleOutOutputs> {
  const sinks: RowSink[] = [];
  for (const url of o.sinkUrls) sinks.push(await PostgresSink.open({ url, columns, venue: o.venue }));
  const bus =
    o.publish === null
      ? null
      : await BusPublishing.open(o.publish, {
          venue: o.venue,
          symbols: o.symbols,
          onStateChange: (state, cause) => {
            if (o.quiet) return;
            log.write(
              state === 'buffering'
                ? `[WARN] bus unreachable (${cause instanceof Error ? cause.message : String(cause)}); buffering to disk\n`
                : '[OK] bus reachable again; buffered messages sent\n',
            );
          },
        });
  if (bus?.kinds.includes('rows') === true) sinks.push(new NatsRowPublisher(bus, columns));
  return {
    sinks,
    tapEvents: (source) => (bus?.kinds.includes('events') === true ? publishEvents(source, bus) : source),
    async close(out) {
      if (bus === null) return;
      const left = await bus.close();
      if (left.outboxBytes > 0) {
        out.write(
          `[WARN] ${left.outboxBytes} bytes not yet on the bus are kept in ${bus.outbox.dir}; ` +
            'the next run with the same --publish sends them first\n',
        );
      }
    },
  };
}
