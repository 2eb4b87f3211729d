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
  type Consumer,
  type JsMsg,
} from '@nats-io/jetstream';
import { ConfigError, NetworkError, ParseError } from '../errors.js';
import { decodeEnvelope, type BusEnvelope, type RowEnvelope } from './bus-envelope.js';
import { BusConnection } from './bus-connection.js';
import { busSubject, busSubjectFilter, type BusKind, type BusVenue } from './bus-subject.js';
import { parseBusUrl, type BusTarget } from './bus-url.js';
import { MessageInbox } from './message-inbox.js';
import { SubjectSequencer, type SequencerOutput } from './subject-sequencer.js';
import { sleep } from '../net/sleep.js';

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
  /**
   * How long one pull request stays open, in ms (at least 1000). Pulls (`fetch`) rather than a standing
   * `consume()`: a stopping consumer then knows every message the server sent it (its last pull ends
   * within this time) and hands each back, where `consume()` drops what it buffered when stopped and the
   * server waits out the ack wait. Stopping takes up to this long.
   * @default 2000
   */
  readonly pullExpiresMs?: number;
  /** End when nothing arrived for this long (ms). Absent: run until `signal` aborts. */
  readonly idleExitMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each batch of acks: make everything delivered so far durable (flush the sinks). */
  readonly commit?: () => Promise<void>;
  /** Told things a person running the consumer should know (unacknowledged messages of an earlier run). */
  readonly onNotice?: (message: string) => void;
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

/** Pause after a failed pull (the server is restarting, the connection is being re-established). */
const PULL_RETRY_MS = 250;

/** Pulls messages of one durable into `inbox` until `stop` aborts; a failed pull is retried. */
async function pullLoop(
  consumer: Consumer,
  inbox: MessageInbox<JsMsg>,
  stop: AbortSignal,
  maxMessages: number,
  expiresMs: number,
  o: BusConsumerOptions,
): Promise<void> {
  let failures = 0;
  while (!stop.aborted) {
    try {
      const messages = await consumer.fetch({ max_messages: maxMessages, expires: expiresMs });
      for await (const m of messages) await inbox.push(m);
      failures = 0;
    } catch (error) {
      // Outages are expected (the bus restarts): say so once, keep pulling.
      if (failures++ === 0)
        o.onNotice?.(`pulling from the bus failed (${(error as Error).message}); retrying`);
      await sleep(PULL_RETRY_MS, stop).catch(() => undefined);
    }
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
): Promise<number> {
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
    return info.num_ack_pending;
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
    return 0;
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
  const ordered = o.ordered ?? true;
  // The client refuses pulls shorter than a second.
  const pullMs = Math.max(1_000, o.pullExpiresMs ?? 2_000);
  const sequencer = new SubjectSequencer<Received>({ holdMs: o.holdMs ?? ackWaitMs + 5_000, ordered });
  const stats = { received: 0, delivered: 0, duplicates: 0, gaps: 0, late: 0, invalid: 0, held: 0 };

  const conn = await BusConnection.open(target, { clientName: o.clientName ?? 'obi consume' });
  const stopPulling = new AbortController();
  const pumps: Promise<void>[] = [];
  const inbox = new MessageInbox<JsMsg>(Math.max(batch * 4, 1000));
  /** Handed on and taken by the caller: acked at the next commit. */
  const unacked: JsMsg[] = [];
  /** Released by the sequencer, not yet handed on. */
  let ready: SequencerOutput<Received>[] = [];

  const commit = async (): Promise<void> => {
    if (unacked.length === 0) return;
    await o.commit?.();
    for (const m of unacked.splice(0)) m.ack();
    stats.held = sequencer.heldCount;
    o.onProgress?.({ ...stats });
  };

  try {
    await conn.ensureStream();
    const plan = durablePlan(conn, o);
    let pendingAcks = 0;
    for (const p of plan)
      pendingAcks += await ensureDurable(conn, p.name, p.filters, o, ackWaitMs, maxAckPending);
    if (pendingAcks > 0) {
      // Handed back by a consumer that stopped cleanly: they come first. Left by one that was killed: they
      // come after their ack wait, after newer messages; the sequencer holds the newer ones for a while.
      o.onNotice?.(
        `${pendingAcks} message(s) delivered to an earlier consumer of ${o.durable} are not acknowledged; ` +
          `they are delivered again (after up to ${Math.ceil(ackWaitMs / 1000)} s if that consumer was killed)`,
      );
    }
    for (const p of plan) {
      const consumer = await conn.js.consumers.get(target.stream.name, p.name);
      pumps.push(pullLoop(consumer, inbox, stopPulling.signal, Math.min(batch, maxAckPending), pullMs, o));
    }

    let lastMessageMs = now();
    while (o.signal?.aborted !== true) {
      const t = now();
      const deadline = sequencer.heldCount > 0 ? sequencer.nextDeadlineMs() : null;
      const idleLeft =
        o.idleExitMs !== undefined ? lastMessageMs + o.idleExitMs - t : Number.POSITIVE_INFINITY;
      if (idleLeft <= 0 && sequencer.heldCount === 0) break;
      // Nothing more is queued: make what was handed on durable now, rather than after the wait.
      if (inbox.size === 0) await commit();
      const wait = Math.min(idleLeft > 0 ? idleLeft : 1000, deadline === null ? 1000 : deadline - t, 1000);
      const m = await inbox.next(wait, o.signal);
      if (m === null) {
        ready = sequencer.expire(now());
      } else {
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
        const item = { id: envelope.id, prev: envelope.prev, value: { msg: m, envelope } };
        ready = [...sequencer.offer(m.subject, item, lastMessageMs), ...sequencer.expire(lastMessageMs)];
      }
      while (ready.length > 0) {
        const out = ready.shift() as SequencerOutput<Received>;
        if (out.kind === 'duplicate') {
          stats.duplicates++;
          unacked.push(out.item.value.msg);
          continue;
        }
        if (out.gap) stats.gaps++;
        if (out.late) stats.late++;
        stats.delivered++;
        stats.duplicates += out.repeats.length;
        const settle = [out.item.value.msg, ...out.repeats.map((r) => r.msg)];
        // If the caller stops at this yield, these were not taken: hand them back below.
        ready.unshift(out);
        yield out.item.value.envelope;
        ready.shift();
        // Resumed: the caller has written it. Ack it (and its repeats) with the next commit.
        unacked.push(...settle);
        if (unacked.length >= batch) await commit();
      }
    }
  } finally {
    stopPulling.abort();
    inbox.close();
    // Let each loop finish its open pull (at most pullExpiresMs), then give back everything not taken
    // (queued, held, released but not handed on) so the next consumer gets it at once and in order.
    await Promise.all(pumps);
    const notTaken = [
      ...ready.flatMap((r) => (r.kind === 'deliver' ? [r.item.value, ...r.repeats] : [r.item.value])),
      ...sequencer.takeHeld(),
    ].map((r) => r.msg);
    try {
      // The caller took these (it resumed us after each): make them durable and ack them.
      await commit();
    } catch {
      // The caller's sinks failed: these are not acked either; they come again.
      notTaken.push(...unacked.splice(0));
    }
    // In stream order: the server redelivers NAKed messages in the order it got the NAKs.
    for (const m of [...notTaken, ...inbox.takeAll()].sort((a, b) => a.seq - b.seq)) m.nak();
    stats.held = sequencer.heldCount;
    o.onProgress?.({ ...stats });
    await conn.close();
  }
}

/** Returns the durables to read through, with their filters (see the file comment on NATS < 2.10). */
function durablePlan(conn: BusConnection, o: BusConsumerOptions): { name: string; filters: string[] }[] {
  const root = conn.target.stream.subjectRoot;
  const symbols = o.symbols !== undefined && o.symbols.length > 0 ? o.symbols : null;
  if (symbols === null) return [{ name: o.durable, filters: [busSubjectFilter(o.venue, o.kind, root)] }];
  const subject = (symbol: string): string => busSubject({ ...o.venue, symbol, kind: o.kind }, root);
  if (conn.supportsMultipleFilters || symbols.length === 1) {
    return [{ name: o.durable, filters: symbols.map(subject) }];
  }
  return symbols.map((symbol) => ({ name: `${o.durable}-${symbol}`, filters: [subject(symbol)] }));
}

/** Yields the rows of `consumeBus({ ...o, kind: 'rows' })`, each with its exchange and market. */
export async function* consumeRows(o: Omit<BusConsumerOptions, 'kind'>): AsyncGenerator<RowEnvelope> {
  for await (const e of consumeBus({ ...o, kind: 'rows' })) if (e.kind === 'rows') yield e;
}
