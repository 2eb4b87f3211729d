/**
 * What a collector needs to publish to the bus: one connection, one outbox, one ordered publisher, shared
 * by the row sink (nats-row-publisher.ts) and the event tap (publish-events.ts). It names each message
 * (subject, id) and chains it to the previous one of its subject (`prev`, see bus-envelope.ts).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MarketEvent } from '../events.js';
import { ConfigError, NetworkError } from '../errors.js';
import type { Row } from '../io/sinks/row-sink.js';
import { BusConnection } from './bus-connection.js';
import { encodeEventEnvelope, encodeRowEnvelope } from './bus-envelope.js';
import { BusPublisher, type BusPublisherStats, type PublisherState } from './bus-publisher.js';
import { busSubject, type BusKind, type BusVenue } from './bus-subject.js';
import { parseBusUrl, type BusTarget } from './bus-url.js';
import { JetStreamTransport } from './jetstream-transport.js';
import { eventMessageId, rowMessageId } from './message-id.js';
import { Outbox } from './outbox.js';

/** Options of BusPublishing.open. */
export interface BusPublishingOptions {
  /** The venue of everything published (rows carry no exchange or market of their own). */
  readonly venue: BusVenue;
  /** The collector's symbols: they name its default outbox directory. */
  readonly symbols: readonly string[];
  /** @default 'obi collect' */
  readonly clientName?: string;
  /**
   * Where outbox directories go when the URL names none.
   * @default '.obi-outbox'
   */
  readonly outboxRoot?: string;
  /** Told when publishing starts buffering to disk (with why) and when it is live again. */
  readonly onStateChange?: (state: PublisherState, cause: unknown) => void;
  /** @default 256 */
  readonly maxInFlight?: number;
}

/**
 * Returns the default outbox directory of a collector: one per stream, venue and symbol set, so two
 * collectors on one machine never share one, and a restarted collector finds its own.
 */
export function defaultOutboxDir(
  root: string,
  stream: string,
  venue: BusVenue,
  symbols: readonly string[],
  kinds: readonly BusKind[],
): string {
  const key = [[...symbols].sort().join(','), [...kinds].sort().join(',')].join('|');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return join(root, `${stream}-${venue.exchange}-${venue.market}-${hash}`);
}

export class BusPublishing {
  private readonly prev = new Map<string, string>();
  private closed: Promise<BusPublisherStats> | null = null;

  private constructor(
    readonly target: BusTarget,
    readonly venue: BusVenue,
    readonly connection: BusConnection,
    readonly outbox: Outbox,
    readonly publisher: BusPublisher,
  ) {}

  /**
   * Connects, makes sure the stream exists, opens the outbox (sending what a previous run left in it
   * first). Throws NetworkError when NATS cannot be reached, ConfigError for a bad URL or a locked outbox.
   */
  static async open(url: string | BusTarget, o: BusPublishingOptions): Promise<BusPublishing> {
    const target = typeof url === 'string' ? parseBusUrl(url) : url;
    const connection = await BusConnection.open(target, { clientName: o.clientName ?? 'obi collect' });
    let outbox: Outbox | null = null;
    try {
      await connection.ensureStream();
      const dir =
        target.publish.outboxDir ??
        defaultOutboxDir(
          o.outboxRoot ?? '.obi-outbox',
          target.stream.name,
          o.venue,
          o.symbols,
          target.publish.kinds,
        );
      outbox = Outbox.open(dir, { maxBytes: target.publish.outboxMaxBytes });
      const publisher = new BusPublisher({
        transport: new JetStreamTransport(connection.js, target.stream.name, target.publish.ackTimeoutMs),
        outbox,
        ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
        ...(o.onStateChange !== undefined ? { onStateChange: o.onStateChange } : {}),
      });
      // A disconnect is known at once; waiting for each send to time out would stall the collector.
      void (async () => {
        for await (const status of connection.nc.status()) {
          if (status.type === 'disconnect') {
            publisher.suspend(new NetworkError(`disconnected from NATS ${target.display}`, target.display));
          }
        }
      })().catch(() => undefined);
      return new BusPublishing(target, o.venue, connection, outbox, publisher);
    } catch (error) {
      outbox?.close();
      await connection.close();
      throw error;
    }
  }

  /** What this collector publishes (`publish=` in the URL). */
  get kinds(): readonly BusKind[] {
    return this.target.publish.kinds;
  }

  /** Returns the counters of the publisher. */
  get stats(): BusPublisherStats {
    return this.publisher.stats;
  }

  /** Publishes one feature row to `obi.<exchange>.<market>.<symbol>.rows` (cells in `columns` order). */
  publishRow(row: Row, columns: readonly string[]): Promise<void> {
    const symbol = row['symbol'];
    const timeMs = row['time_ms'];
    if (typeof symbol !== 'string' || typeof timeMs !== 'number') {
      return Promise.reject(
        new ConfigError(
          'a row published to the bus needs a string `symbol` and a number `time_ms`',
          'columns',
        ),
      );
    }
    const subject = busSubject({ ...this.venue, symbol, kind: 'rows' }, this.target.stream.subjectRoot);
    const id = rowMessageId(this.venue, symbol, timeMs);
    const prev = this.chain(subject, id);
    const data = encodeRowEnvelope({ ...this.venue, symbol, id, prev }, row, columns);
    return this.publisher.publish({ subject, id, data });
  }

  /** Publishes one normalised event to `obi.<exchange>.<market>.<symbol>.events`. */
  publishEvent(event: MarketEvent): Promise<void> {
    const venue = { exchange: event.exchange, market: event.market };
    const subject = busSubject(
      { ...venue, symbol: event.symbol, kind: 'events' },
      this.target.stream.subjectRoot,
    );
    const id = eventMessageId(event);
    const prev = this.chain(subject, id);
    const data = encodeEventEnvelope({ ...venue, symbol: event.symbol, id, prev }, event);
    return this.publisher.publish({ subject, id, data });
  }

  private chain(subject: string, id: string): string | null {
    const prev = this.prev.get(subject) ?? null;
    this.prev.set(subject, id);
    return prev;
  }

  /** Resolves once everything published so far is acknowledged by the bus or safe in the outbox. */
  flush(): Promise<void> {
    return this.publisher.flush();
  }

  /**
   * Waits up to `timeoutMs` for the bus to acknowledge everything (draining the outbox), then closes the
   * outbox and the connection. Returns the final counters; `outboxBytes` > 0 means messages were left in
   * the outbox for the next run. Idempotent.
   */
  close(timeoutMs = 10_000): Promise<BusPublisherStats> {
    this.closed ??= (async () => {
      try {
        return await this.publisher.close(timeoutMs);
      } finally {
        this.outbox.close();
        await this.connection.close();
      }
    })();
    return this.closed;
  }
}
