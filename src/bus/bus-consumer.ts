/**
 * Reads rows or events from the bus as a durable JetStream consumer: resumes where it stopped after a
 * restart, delivers each subject's messages once and in publish order (subject-sequencer.ts), and
 * acknowledges a message only after the caller's `commit` (flushing its sinks) succeeded, so a consumer
 * killed at any moment loses nothing: what was not acknowledged is delivered again.
 *
 * Sharing work: consumers with the same durable name share its messages (a work queue; order across them
 * is not defined, so use `ordered: false`, and a sink that does not care, such as PostgreSQL); consumers
 * with their own durable names each see everything; consumers for disjoint `symbols` split the work and
 * keep order.
 *
 * A durable takes one subject filter on NATS < 2.10; for a list of symbols there, one durable per symbol
 * (`<durable>-<SYMBOL>`) is used and their messages merged.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { ConfigError, NetworkError, ParseError } from '../errors.js';
import { decodeEnvelope, type BusEnvelope, type RowEnvelope } from './bus-envelope.js';
import { BusConnection } from './bus-connection.js';
import { busSubject, busSubjectFilter, type BusKind, type BusVenue } from './bus-subject.js';
import { parseBusUrl, type BusTarget } from './bus-url.js';
import { SubjectSequencer } from './subject-sequencer.js';

const NS_PER_MS = 1_000_000;

export interface BusConsumerOptions {
  readonly url: string | BusTarget;
  readonly kind: BusKind;
  readonly venue: BusVenue;
  /** Symbols to read; absent = every symbol of the venue. */
  readonly symbols?: readonly string[];
  /** Durable consumer name (letters, digits, _ and -): the same name resumes, or shares the work. */
  readonly durable: string;
  /**
   * Where a new durable starts: every message the stream still holds, or only new ones.
   * @default 'all'
   */
  readonly deliver?: 'all' | 'new';
  /**
   * How long the server waits for an ack before delivering a message again, in ms.
   * @default 30000
   */
  readonly ackWaitMs?: number;
  /**
   * Unacknowledged messages the server lets this durable have.
   * @default 20000
   */
  readonly maxAckPending?: number;
  /**
   * Restore publish order per subject (hold a message until its predecessor came).
   * @default true
   */
  readonly ordered?: boolean;
  /**
   * Longest wait for a missing predecessor, in ms.
   * @default ackWaitMs + 5000
   */
  readonly holdMs?: number;
  /**
   * Most messages between two commits.
   * @default 500
   */
  readonly batch?: number;
  /** End when nothing arrived for this long (ms). Absent: run until `signal` aborts. */
  readonly idleExitMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each batch of acks: make everything delivered so far durable (flush the sinks). */
  readonly commit?: () => Promise<void>;
  /** Called after each commit with the counters. */
  readonly onProgress?: (stats: BusConsumerStats) => void;
  /** @default 'obi consume' */
  readonly clientName?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Counters of one consumer run. */
export interface BusConsumerStats {
  /** Messages received (repeats included). */
  readonly received: number;
  /** Messages handed on. */
  readonly delivered: number;
  /** Repeats dropped. */
  readonly duplicates: number;
  /** Messages released without their predecessor (it never came within `holdMs`). */
  readonly gaps: number;
  /** Predecessors that came after their successor had been released. */
  readonly late: number;
  /** Messages that were not obi envelopes (terminated, never redelivered). */
  readonly invalid: number;
  /** Messages held now, waiting for a predecessor. */
  readonly held: number;
}

/** Returns a durable name for a kind, venue and symbol set: the same command resumes the same durable. */
export function defaultDurableName(kind: BusKind, venue: BusVenue, symbols?: readonly string[]): string {
  const base = `obi-${kind}-${venue.exchange}-${venue.market}`;
  if (symbols === undefined || symbols.length === 0) return `${base}-all`;
  if (symbols.length <= 3) return `${base}-${[...symbols].sort().join('-')}`;
  let h = 0x811c9dc5;
  for (const ch of [...symbols].sort().join(',')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `${base}-${symbols.length}s-${h.toString(16).padStart(8, '0')}`;
}

/** A bounded hand-over between the consumers' message loops and the consuming generator. */
class Inbox {
  private readonly items: JsMsg[] = [];
  private wake: (() => void) | null = null;
  private room: (() => void)[] = [];
  failure: unknown = null;

  constructor(private readonly highWater: number) {}

  get size(): number {
    return this.items.length;
  }

  async push(m: JsMsg): Promise<void> {
    this.items.push(m);
    this.poke();
    while (this.items.length > this.highWater) await new Promise<void>((r) => this.room.push(r));
  }

  fail(error: unknown): void {
    this.failure ??= error;
    this.poke();
  }

  poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Returns the next message, or null after `timeoutMs` or an abort. */
  async next(timeoutMs: number, signal: AbortSignal | undefined): Promise<JsMsg | null> {
    if (this.items.length === 0 && this.failure === null && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.wake = null;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, Math.min(timeoutMs, 2 ** 31 - 1)));
        signal?.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
    if (this.failure !== null) throw this.failure;
    const m = this.items.shift() ?? null;
    if (this.items.length <= this.highWater) {
      const room = this.room;
      this.room = [];
      for (const r of room) r();
    }
    return m;
  }
}

/** A message and its decoded body. */
interface Received {
  readonly msg: JsMsg;
  readonly envelope: BusEnvelope;
}

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound;
}

async function ensureDurable(
  conn: BusConnection,
  name: string,
  filters: readonly string[],
  o: BusConsumerOptions,
  ackWaitMs: number,
  maxAckPending: number,
): Promise<void> {
  const stream = conn.target.stream.name;
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(name)) {
    throw new ConfigError(`durable name "${name}" must be letters, digits, _ or - only`, 'durable');
  }
  const filter: Partial<ConsumerConfig> =
    filters.length === 1 ? { filter_subject: filters[0] as string } : { filter_subjects: [...filters] };
  try {
    const info = await conn.jsm.consumers.info(stream, name);
    const have =
      info.config.filter_subjects ??
      (info.config.filter_subject !== undefined ? [info.config.filter_subject] : []);
    if ([...have].sort().join(' ') !== [...filters].sort().join(' ')) {
      throw new ConfigError(
        `durable ${name} on stream ${stream} reads ${have.join(', ') || 'everything'}, not ${filters.join(', ')}; ` +
          'choose another --durable (or delete that one)',
        'durable',
      );
    }
    if (info.config.ack_wait !== ackWaitMs * NS_PER_MS || info.config.max_ack_pending !== maxAckPending) {
      await conn.jsm.consumers.update(stream, name, {
        ack_wait: ackWaitMs * NS_PER_MS,
        max_ack_pending: maxAckPending,
      });
    }
    return;
  } catch (error) {
    if (!isNotFound(error)) {
      if (error instanceof ConfigError) throw error;
      throw new NetworkError(
        `cannot look up durable ${name}: ${(error as Error).message}`,
        conn.target.display,
        { cause: error },
      );
    }
  }
  try {
    await conn.jsm.consumers.add(stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: o.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ack_wait: ackWaitMs * NS_PER_MS,
      max_ack_pending: maxAckPending,
      ...filter,
    });
  } catch (error) {
    throw new ConfigError(
      `cannot create durable ${name} on stream ${stream}: ${(error as Error).message}`,
      'durable',
    );
  }
}

/**
 * Yields each row or event envelope once, in publish order per subject, acknowledging it after `commit`
 * once the caller has taken it. Ends when `signal` aborts or nothing arrived for `idleExitMs`; throws
 * NetworkError/ConfigError when the bus or the durable cannot be set up.
 */
export async function* consumeBus(o: BusConsumerOptions): AsyncGenerator<BusEnvelope> {
  const target = typeof o.url === 'string' ? parseBusUrl(o.url) : o.url;
  const now = o.now ?? Date.now;
  const ackWaitMs = o.ackWaitMs ?? 30_000;
  const maxAckPending = o.maxAckPending ?? 20_000;
  const batch = Math.max(1, o.batch ?? 500);
  const sequencer = new SubjectSequencer<Received>({
    holdMs: o.holdMs ?? ackWaitMs + 5_000,
    ordered: o.ordered ?? true,
  });
  const stats = { received: 0, delivered: 0, duplicates: 0, gaps: 0, late: 0, invalid: 0, held: 0 };

  const conn = await BusConnection.open(target, { clientName: o.clientName ?? 'obi consume' });
  const running: ConsumerMessages[] = [];
  const inbox = new Inbox(Math.max(batch * 4, 1000));
  const unacked: JsMsg[] = [];

  const commit = async (): Promise<void> => {
    if (unacked.length === 0) return;
    await o.commit?.();
    for (const m of unacked.splice(0)) m.ack();
    stats.held = sequencer.heldCount;
    o.onProgress?.({ ...stats });
  };

  try {
    await conn.ensureStream();
    const symbols = o.symbols !== undefined && o.symbols.length > 0 ? o.symbols : null;
    const plan: { name: string; filters: string[] }[] =
      symbols === null
        ? [{ name: o.durable, filters: [busSubjectFilter(o.venue, o.kind)] }]
        : conn.supportsMultipleFilters || symbols.length === 1
          ? [
              {
                name: o.durable,
                filters: symbols.map((symbol) => busSubject({ ...o.venue, symbol, kind: o.kind })),
              },
            ]
          : symbols.map((symbol) => ({
              name: `${o.durable}-${symbol}`,
              filters: [busSubject({ ...o.venue, symbol, kind: o.kind })],
            }));
    for (const p of plan) await ensureDurable(conn, p.name, p.filters, o, ackWaitMs, maxAckPending);
    for (const p of plan) {
      const consumer = await conn.js.consumers.get(target.stream.name, p.name);
      const messages = await consumer.consume({ max_messages: Math.min(batch * 2, maxAckPending) });
      running.push(messages);
      // Each durable's messages are pumped into the one inbox; the loop ends when `stop()` is called.
      void (async () => {
        for await (const m of messages) await inbox.push(m);
      })().catch((error: unknown) => inbox.fail(error));
    }

    let lastMessageMs = now();
    for (;;) {
      if (o.signal?.aborted === true) break;
      const t = now();
      const deadline = sequencer.heldCount > 0 ? sequencer.nextDeadlineMs() : null;
      const idleLeft =
        o.idleExitMs !== undefined ? lastMessageMs + o.idleExitMs - t : Number.POSITIVE_INFINITY;
      if (idleLeft <= 0 && sequencer.heldCount === 0) break;
      // Commit before waiting: nothing more is queued, so make what was handed on durable now.
      if (inbox.size === 0) await commit();
      const wait = Math.min(idleLeft > 0 ? idleLeft : 1000, deadline === null ? 1000 : deadline - t, 1000);
      const m = await inbox.next(wait, o.signal);
      const outputs = m === null ? sequencer.expire(now()) : [];
      if (m !== null) {
        lastMessageMs = now();
        stats.received++;
        let envelope: BusEnvelope;
        try {
          envelope = decodeEnvelope(m.data, m.subject);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          stats.invalid++;
          m.term();
          continue;
        }
        const value: Received = { msg: m, envelope };
        outputs.push(
          ...sequencer.offer(m.subject, { id: envelope.id, prev: envelope.prev, value }, lastMessageMs),
        );
        outputs.push(...sequencer.expire(lastMessageMs));
      }
      for (const out of outputs) {
        if (out.kind === 'duplicate') {
          stats.duplicates++;
          unacked.push(out.item.value.msg);
          continue;
        }
        if (out.gap) stats.gaps++;
        if (out.late) stats.late++;
        stats.delivered++;
        stats.duplicates += out.repeats.length;
        yield out.item.value.envelope;
        // Resumed: the caller has written it. Ack it (and its repeats) with the next commit.
        unacked.push(out.item.value.msg, ...out.repeats.map((r) => r.msg));
        if (unacked.length >= batch) await commit();
      }
    }
  } finally {
    for (const messages of running) messages.stop();
    inbox.poke();
    try {
      // The caller took these (it resumed us after each): make them durable and ack them.
      await commit();
    } catch {
      // The caller's sinks failed: nothing more is acked, so it all comes again to the next run.
    }
    stats.held = sequencer.heldCount;
    o.onProgress?.({ ...stats });
    await conn.close();
  }
}

/** Yields the rows of `consumeBus({ ...o, kind: 'rows' })`, each with its exchange and market. */
export async function* consumeRows(o: Omit<BusConsumerOptions, 'kind'>): AsyncGenerator<RowEnvelope> {
  for await (const e of consumeBus({ ...o, kind: 'rows' })) if (e.kind === 'rows') yield e;
}
