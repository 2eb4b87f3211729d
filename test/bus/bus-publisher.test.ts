import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusPublisher, type PublishAck, type PublishTransport } from '../../src/bus/bus-publisher.js';
import { Outbox, type OutboxMessage } from '../../src/bus/outbox.js';
import { OutboxFullError } from '../../src/bus/outbox-full-error.js';

/**
 * An in-memory JetStream stream: stores a message once per id (an unbounded duplicate window). `down`
 * fails every publish; `lose-acks` stores the message but fails the publish (the ack was lost). Answers
 * come after a seeded number of macrotasks, so completions interleave across subjects.
 */
class FakeStream implements PublishTransport {
  readonly stored: OutboxMessage[] = [];
  private readonly ids = new Set<string>();
  mode: 'up' | 'down' | 'lose-acks' = 'up';
  private seed = 1;

  private delayTicks(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed % 4;
  }

  async publish(m: OutboxMessage): Promise<PublishAck> {
    for (let i = this.delayTicks(); i > 0; i--) await new Promise((r) => setImmediate(r));
    const mode = this.mode;
    if (mode === 'down') throw new Error('no responders');
    const duplicate = this.ids.has(m.id);
    if (!duplicate) {
      this.ids.add(m.id);
      this.stored.push(m);
    }
    if (mode === 'lose-acks') throw new Error('timeout');
    return { duplicate };
  }

  bySubject(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const m of this.stored) out.set(m.subject, [...(out.get(m.subject) ?? []), m.id]);
    return out;
  }
}

const enc = new TextEncoder();
const msg = (subject: string, n: number): OutboxMessage => ({
  subject,
  id: `${subject}#${n}`,
  data: enc.encode(JSON.stringify({ n })),
});
const FAST = { backoff: { baseMs: 1, maxMs: 2 }, random: () => 0.5 } as const;

let root: string;
let dirCount = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'obi-pub-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const newDir = (): string => join(root, `outbox-${dirCount++}`);

describe('BusPublisher', () => {
  it('publishes in order per subject and flush waits for every ack', async () => {
    const stream = new FakeStream();
    const outbox = Outbox.open(newDir());
    const pub = new BusPublisher({ transport: stream, outbox, ...FAST });
    for (let i = 0; i < 30; i++) await pub.publish(msg(`s${i % 3}`, i));
    await pub.flush();
    expect(stream.stored).toHaveLength(30);
    expect(stream.bySubject().get('s1')).toEqual(Array.from({ length: 10 }, (_, k) => `s1#${3 * k + 1}`));
    const stats = await pub.close();
    expect(stats).toMatchObject({ state: 'live', acknowledged: 30, buffered: 0, outboxBytes: 0 });
    outbox.close();
  });

  it('buffers the failed message and everything after it, and replays them once the bus is back', async () => {
    const stream = new FakeStream();
    const outbox = Outbox.open(newDir());
    const states: string[] = [];
    const pub = new BusPublisher({
      transport: stream,
      outbox,
      ...FAST,
      onStateChange: (s) => states.push(s),
    });
    await pub.publish(msg('a', 0));
    await pub.flush();
    stream.mode = 'down';
    await pub.publish(msg('a', 1));
    await pub.publish(msg('b', 2));
    // Wait for the failure to switch the publisher to buffering.
    while (pub.stats.state !== 'buffering') await new Promise((r) => setImmediate(r));
    await pub.publish(msg('a', 3));
    await pub.flush(); // resolves: everything is acked or on disk
    expect(outbox.pendingBytes).toBeGreaterThan(0);
    expect(stream.stored.map((m) => m.id)).toEqual(['a#0']);
    stream.mode = 'up';
    const stats = await pub.close(5_000);
    expect(states).toEqual(['buffering', 'live']);
    expect(stream.bySubject().get('a')).toEqual(['a#0', 'a#1', 'a#3']);
    expect(stream.bySubject().get('b')).toEqual(['b#2']);
    expect(stats.outboxBytes).toBe(0);
    outbox.close();
  });

  it('suspend() (the client saw a disconnect) buffers at once, before any send failed', async () => {
    const stream = new FakeStream();
    const outbox = Outbox.open(newDir());
    const pub = new BusPublisher({ transport: stream, outbox, ...FAST });
    await pub.publish(msg('a', 0));
    await pub.flush();
    stream.mode = 'down';
    pub.suspend(new Error('disconnected'));
    expect(pub.stats.state).toBe('buffering');
    await pub.publish(msg('a', 1));
    // On disk at once; the drain loop probes the bus from there.
    expect(outbox.pendingBytes).toBeGreaterThan(0);
    expect(stream.stored.map((m) => m.id)).toEqual(['a#0']);
    stream.mode = 'up';
    await pub.close(5_000);
    expect(stream.bySubject().get('a')).toEqual(['a#0', 'a#1']);
    outbox.close();
  });

  it('a message stored whose ack was lost is sent again and de-duplicated, not doubled', async () => {
    const stream = new FakeStream();
    const outbox = Outbox.open(newDir());
    const pub = new BusPublisher({ transport: stream, outbox, ...FAST });
    stream.mode = 'lose-acks';
    await pub.publish(msg('a', 0));
    await pub.publish(msg('a', 1));
    while (pub.stats.state !== 'buffering') await new Promise((r) => setImmediate(r));
    stream.mode = 'up';
    const stats = await pub.close(5_000);
    expect(stream.bySubject().get('a')).toEqual(['a#0', 'a#1']);
    expect(stats.duplicates).toBeGreaterThanOrEqual(1);
    outbox.close();
  });

  it('close() with the bus still down leaves the messages in the outbox, and the next publisher sends them first', async () => {
    const dir = newDir();
    const stream = new FakeStream();
    stream.mode = 'down';
    const first = Outbox.open(dir);
    const pub1 = new BusPublisher({ transport: stream, outbox: first, ...FAST });
    for (let i = 0; i < 5; i++) await pub1.publish(msg('a', i));
    const left = await pub1.close(50);
    expect(left.outboxBytes).toBeGreaterThan(0);
    first.close();

    stream.mode = 'up';
    const second = Outbox.open(dir);
    const pub2 = new BusPublisher({ transport: stream, outbox: second, ...FAST });
    await pub2.publish(msg('a', 5));
    await pub2.close(5_000);
    expect(stream.bySubject().get('a')).toEqual(['a#0', 'a#1', 'a#2', 'a#3', 'a#4', 'a#5']);
    second.close();
  });

  it('a full outbox rejects the publish with OutboxFullError and keeps what it holds', async () => {
    const stream = new FakeStream();
    stream.mode = 'down';
    const outbox = Outbox.open(newDir(), { maxBytes: 200 });
    const pub = new BusPublisher({ transport: stream, outbox, ...FAST });
    let error: unknown = null;
    for (let i = 0; i < 50 && error === null; i++) {
      try {
        await pub.publish(msg('a', i));
        await new Promise((r) => setImmediate(r));
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(OutboxFullError);
    expect(outbox.pendingBytes).toBeLessThanOrEqual(200);
    expect(outbox.pendingBytes).toBeGreaterThan(0);
    await expect(pub.flush()).rejects.toBeInstanceOf(OutboxFullError);
    await pub.close(10);
    outbox.close();
  });

  it('property: any sequence of outages and lost acks stores every message exactly once, in order per subject', async () => {
    type Op =
      { kind: 'publish'; subject: number } | { kind: 'mode'; mode: FakeStream['mode'] } | { kind: 'wait' };
    const op = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          kind: fc.constant('publish' as const),
          subject: fc.integer({ min: 0, max: 3 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('mode' as const),
          mode: fc.constantFrom('up', 'down', 'lose-acks'),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'wait' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op as fc.Arbitrary<Op>, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        async (ops, maxInFlight) => {
          const stream = new FakeStream();
          const outbox = Outbox.open(newDir());
          const pub = new BusPublisher({ transport: stream, outbox, maxInFlight, maxQueued: 4, ...FAST });
          const published = new Map<string, string[]>();
          let n = 0;
          for (const o of ops) {
            if (o.kind === 'publish') {
              const m = msg(`s${o.subject}`, n++);
              published.set(m.subject, [...(published.get(m.subject) ?? []), m.id]);
              await pub.publish(m);
            } else if (o.kind === 'mode') {
              stream.mode = o.mode;
            } else {
              for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
            }
          }
          stream.mode = 'up';
          const stats = await pub.close(10_000);
          outbox.close();
          expect(stats.outboxBytes).toBe(0);
          expect(stream.bySubject()).toEqual(published);
        },
      ),
      { numRuns: 60 },
    );
  });
});
