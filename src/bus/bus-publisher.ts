/**
 * Acknowledged, ordered publishing with an on-disk outage buffer, independent of the bus client (the
 * transport is an interface: JetStream in production, an in-memory stream in tests).
 *
 * The rules:
 * - Per subject, at most one message is in flight: the next one of that subject is sent only after the
 *   bus acknowledged the previous one. So a failed send can never be overtaken by a later message of its
 *   subject, and each symbol's messages are stored in the order they were published. Different subjects
 *   are pipelined (up to `maxInFlight` at once).
 * - Live: messages wait in memory (bounded: `publish()` waits for room) and are sent.
 * - When a send fails (timeout, disconnect, no JetStream), the publisher starts buffering: every message in
 *   flight or waiting is appended to the outbox, in order per subject, and so is every later message. A
 *   drain loop sends the outbox in order, with backoff between attempts, commits what was acknowledged and,
 *   once it has caught up with the end of the outbox, goes back to live.
 * - A message sent twice (its first ack was lost, or it was in flight when the outage began) has the same
 *   id both times; the stream drops the repeat within its duplicate window (see message-id.ts).
 */
import { backoffDelayMs, type BackoffPolicy } from '../net/backoff.js';
import { sleep } from '../net/sleep.js';
import { OutputError } from '../errors.js';
import type { Outbox, OutboxEntry, OutboxMessage } from './outbox.js';

/** What the bus answered to one publish. */
export interface PublishAck {
  /** The stream already held a message with this id (within its duplicate window) and kept the first. */
  readonly duplicate: boolean;
}

/** One way to send a message and learn that the bus stored it. */
export interface PublishTransport {
  /** Resolves once the bus stored (or de-duplicated) the message; rejects when that is not known. */
  publish(message: OutboxMessage): Promise<PublishAck>;
}

/** Live: sending from memory. Buffering: the bus failed; messages go to the outbox and are drained from it. */
export type PublisherState = 'live' | 'buffering';

export interface BusPublisherOptions {
  readonly transport: PublishTransport;
  readonly outbox: Outbox;
  /**
   * Messages sent and not yet acknowledged, across subjects.
   * @default 256
   */
  readonly maxInFlight?: number;
  /**
   * Messages waiting in memory before `publish()` waits for room.
   * @default 4096
   */
  readonly maxQueued?: number;
  /**
   * Spacing of drain attempts while the bus is down.
   * @default { baseMs: 200, maxMs: 2000 }
   */
  readonly backoff?: BackoffPolicy;
  /** @default Math.random */
  readonly random?: () => number;
  /** Called when the publisher starts buffering (with the failure) and when it is live again. */
  readonly onStateChange?: (state: PublisherState, cause: unknown) => void;
}

/** Counters since the publisher was opened. */
export interface BusPublisherStats {
  readonly state: PublisherState;
  /** Messages the bus stored. */
  readonly acknowledged: number;
  /** Messages the bus had already stored (same id): repeats it dropped. */
  readonly duplicates: number;
  /** Messages appended to the outbox. */
  readonly buffered: number;
  /** Failed sends. */
  readonly failures: number;
  /** Bytes waiting in the outbox. */
  readonly outboxBytes: number;
}

interface Pending {
  readonly message: OutboxMessage;
  readonly seq: number;
  /** Set when the outage began while this message was in flight: it is in the outbox too. */
  inOutbox: boolean;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 2000 };
/** Drained messages acknowledged between two writes of the outbox position. */
const COMMIT_EVERY = 64;

export class BusPublisher {
  private state: PublisherState = 'live';
  private readonly queues = new Map<string, OutboxMessage[]>();
  /** Subjects with waiting messages and nothing in flight, in the order they became ready. */
  private readonly runnable = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly inFlight = new Map<number, Pending>();
  private queued = 0;
  private seq = 0;
  /** Ids acknowledged after they were put in the outbox: the drain skips them. */
  private readonly ackedWhileBuffering = new Set<string>();
  private waiters: (() => void)[] = [];
  private failure: unknown = null;
  private closing = false;
  private draining: Promise<void> | null = null;
  private readonly stopDrain = new AbortController();
  private acknowledged = 0;
  private duplicates = 0;
  private buffered = 0;
  private failures = 0;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;

  constructor(private readonly o: BusPublisherOptions) {
    this.maxInFlight = o.maxInFlight ?? 256;
    this.maxQueued = o.maxQueued ?? 4096;
    // A previous run left messages in the outbox: they go first.
    if (!o.outbox.isEmpty) this.startBuffering(null);
  }

  /** Returns the counters so far. */
  get stats(): BusPublisherStats {
    return {
      state: this.state,
      acknowledged: this.acknowledged,
      duplicates: this.duplicates,
      buffered: this.buffered,
      failures: this.failures,
      outboxBytes: this.o.outbox.pendingBytes,
    };
  }

  /**
   * Hands one message over. Resolves once it is queued in memory or appended to the outbox (not when the
   * bus acknowledges it: see flush); waits while the memory queue is full. Rejects with OutboxFullError
   * when the bus is down and the outbox is full.
   */
  async publish(message: OutboxMessage): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.closing) throw new OutputError('bus publisher is closed', this.o.outbox.dir);
    if (this.state === 'buffering') {
      this.appendToOutbox([message]);
      return;
    }
    let queue = this.queues.get(message.subject);
    if (queue === undefined) {
      queue = [];
      this.queues.set(message.subject, queue);
    }
    queue.push(message);
    this.queued++;
    if (!this.busy.has(message.subject)) this.runnable.add(message.subject);
    this.pump();
    while (this.state === 'live' && this.queued >= this.maxQueued && this.failure === null) {
      await this.changed();
    }
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Starts buffering now, without waiting for a send to time out (the client reported a disconnect): what
   * is in flight or queued goes to the outbox, and the drain loop takes over. No-op unless live.
   */
  suspend(cause: unknown): void {
    if (this.state === 'live' && this.failure === null && !this.closing) this.startBuffering(cause);
  }

  /** Resolves once every message published so far is acknowledged or in the outbox on disk. */
  async flush(): Promise<void> {
    while (this.failure === null && this.state === 'live' && (this.queued > 0 || this.inFlight.size > 0)) {
      await this.changed();
    }
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Stops taking messages and waits up to `timeoutMs` for everything to be acknowledged (the outbox
   * drained); whatever is still unacknowledged then is left in the outbox for the next run. Returns the
   * final counters; `outboxBytes` > 0 means messages were left behind.
   */
  async close(timeoutMs = 10_000): Promise<BusPublisherStats> {
    this.closing = true;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
    });
    try {
      while (
        this.failure === null &&
        !timedOut &&
        (this.state === 'buffering' || this.queued > 0 || this.inFlight.size > 0)
      ) {
        await Promise.race([this.changed(), deadline]);
      }
    } finally {
      clearTimeout(timer);
    }
    if (this.state === 'live' && (this.queued > 0 || this.inFlight.size > 0) && this.failure === null) {
      // Out of time: keep the unacknowledged messages on disk rather than lose them.
      this.startBuffering(
        new OutputError('bus publisher closed before the bus acknowledged', this.o.outbox.dir),
      );
    }
    this.stopDrain.abort();
    await this.draining;
    return this.stats;
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private appendToOutbox(messages: readonly OutboxMessage[]): void {
    try {
      this.o.outbox.append(messages);
      this.buffered += messages.length;
    } catch (error) {
      this.failure ??= error;
      this.notify();
      throw error;
    }
  }

  private pump(): void {
    while (this.state === 'live' && this.inFlight.size < this.maxInFlight && this.runnable.size > 0) {
      const subject = this.runnable.values().next().value as string;
      this.runnable.delete(subject);
      const queue = this.queues.get(subject);
      const message = queue?.shift();
      if (queue === undefined || message === undefined) continue;
      if (queue.length === 0) this.queues.delete(subject);
      this.queued--;
      this.busy.add(subject);
      const pending: Pending = { message, seq: this.seq++, inOutbox: false };
      this.inFlight.set(pending.seq, pending);
      this.o.transport.publish(message).then(
        (ack) => this.settleLive(pending, ack, null),
        (error: unknown) => this.settleLive(pending, null, error),
      );
    }
  }

  private settleLive(p: Pending, ack: PublishAck | null, error: unknown): void {
    if (ack !== null) {
      if (ack.duplicate) this.duplicates++;
      else this.acknowledged++;
      if (p.inOutbox) this.ackedWhileBuffering.add(p.message.id);
    } else {
      this.failures++;
      // Still counted in flight here, so the failed message itself goes to the outbox too.
      if (this.state === 'live') this.startBuffering(error);
    }
    this.inFlight.delete(p.seq);
    this.busy.delete(p.message.subject);
    if (this.state === 'live' && this.queues.has(p.message.subject)) this.runnable.add(p.message.subject);
    this.pump();
    this.notify();
  }

  /** Moves everything unacknowledged to the outbox (in order per subject) and starts the drain loop. */
  private startBuffering(cause: unknown): void {
    this.state = 'buffering';
    const moved: OutboxMessage[] = [];
    for (const p of [...this.inFlight.values()].sort((a, b) => a.seq - b.seq)) {
      p.inOutbox = true;
      moved.push(p.message);
    }
    for (const queue of this.queues.values()) moved.push(...queue);
    this.queues.clear();
    this.runnable.clear();
    this.queued = 0;
    try {
      this.appendToOutbox(moved);
    } catch {
      // Recorded as this.failure: publish/flush now reject with it.
    }
    this.o.onStateChange?.('buffering', cause);
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = null;
    });
    this.notify();
  }

  private async drainLoop(): Promise<void> {
    const outbox = this.o.outbox;
    const signal = this.stopDrain.signal;
    let attempt = 0;
    // Messages in flight when the outage began must settle first: the outbox copy goes after them.
    while (this.inFlight.size > 0) await this.changed();
    while (!signal.aborted && this.failure === null) {
      const failed = await this.drainOnce();
      if (!failed && outbox.readAll && outbox.isEmpty) {
        // Caught up: nothing was appended since the last read, so new messages can go live again.
        this.state = 'live';
        this.ackedWhileBuffering.clear();
        this.o.onStateChange?.('live', null);
        this.notify();
        return;
      }
      if (failed) {
        outbox.rewind();
        try {
          await sleep(
            backoffDelayMs(attempt++, this.o.random ?? Math.random, this.o.backoff ?? DEFAULT_BACKOFF),
            signal,
          );
        } catch {
          return;
        }
      } else {
        attempt = 0;
      }
    }
  }

  /** Sends the outbox from the read cursor to its end; returns true when a send failed. */
  private async drainOnce(): Promise<boolean> {
    const outbox = this.o.outbox;
    const outstanding: { entry: OutboxEntry; done: boolean }[] = [];
    const busy = new Set<string>();
    let inFlight = 0;
    let failed = false;
    let wake: (() => void) | null = null;
    let uncommitted = 0;
    let end = -1;
    const settle = (): void => {
      while (outstanding.length > 0 && outstanding[0]!.done) {
        end = outstanding.shift()!.entry.end;
        uncommitted++;
      }
      // Each commit rewrites the position file: do it every COMMIT_EVERY messages, and at the end.
      if (uncommitted >= COMMIT_EVERY) {
        outbox.commit(end);
        uncommitted = 0;
      }
      const w = wake;
      wake = null;
      w?.();
    };
    const waitForChange = (): Promise<void> => new Promise((r) => (wake = r));
    while (!failed && !this.stopDrain.signal.aborted) {
      const batch = outbox.read(this.maxInFlight);
      if (batch.length === 0) break;
      for (const entry of batch) {
        const slot = { entry, done: false };
        outstanding.push(slot);
        if (this.ackedWhileBuffering.delete(entry.id)) {
          slot.done = true;
          settle();
          continue;
        }
        while (!failed && (inFlight >= this.maxInFlight || busy.has(entry.subject))) await waitForChange();
        if (failed) break;
        inFlight++;
        busy.add(entry.subject);
        this.o.transport.publish(entry).then(
          (ack) => {
            if (ack.duplicate) this.duplicates++;
            else this.acknowledged++;
            slot.done = true;
            inFlight--;
            busy.delete(entry.subject);
            settle();
          },
          () => {
            this.failures++;
            failed = true;
            inFlight--;
            busy.delete(entry.subject);
            settle();
          },
        );
      }
    }
    while (inFlight > 0) await waitForChange();
    // Commit the acknowledged prefix, also after a failure (what was sent after the failure goes again).
    settle();
    if (end >= 0) outbox.commit(end);
    this.notify();
    return failed;
  }
}
