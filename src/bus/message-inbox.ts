/**
 * A bounded hand-over from several producers (one per durable's message loop) to one consumer, with a
 * timed wait, so the consumer can also wake for timers (held messages, idle exit) without a message.
 */

export class MessageInbox<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  private room: (() => void)[] = [];
  private closed = false;
  private failure: { error: unknown } | null = null;

  /** `highWater`: producers wait while more than this many items are queued. */
  constructor(private readonly highWater: number) {}

  /** Items queued now. */
  get size(): number {
    return this.items.length;
  }

  /** Queues one item; waits while the inbox is over its high-water mark (never once closed). */
  async push(item: T): Promise<void> {
    this.items.push(item);
    this.poke();
    while (!this.closed && this.items.length > this.highWater) {
      await new Promise<void>((r) => this.room.push(r));
    }
  }

  /** Makes the next `next()` throw `error` (a producer failed). */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.poke();
  }

  /** Stops back-pressure: producers never wait again. */
  close(): void {
    this.closed = true;
    this.releaseRoom();
    this.poke();
  }

  /** Returns and removes everything queued. */
  takeAll(): T[] {
    const all = this.items.splice(0);
    this.releaseRoom();
    return all;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private releaseRoom(): void {
    const room = this.room;
    this.room = [];
    for (const r of room) r();
  }

  /** Returns the next item, or null after `timeoutMs` or once `signal` aborts. Throws a producer's failure. */
  async next(timeoutMs: number, signal?: AbortSignal): Promise<T | null> {
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
    if (this.failure !== null) throw this.failure.error;
    const item = this.items.shift() ?? null;
    if (this.items.length <= this.highWater) this.releaseRoom();
    return item;
  }
}
