/** A websocket client for simulator tests: records every message and lets a test await the ones it needs. */
import WebSocket, { type ClientOptions } from 'ws';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

const WAIT_MS = 5000;

export class TestWsClient {
  /** Every text message, as received. */
  readonly raw: string[] = [];
  pings = 0;
  readonly closed: Promise<Closed>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.raw.push(String(data));
      this.wake();
    });
    ws.on('ping', () => {
      this.pings++;
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Opens a connection and resolves once it is open. */
  static async open(url: string, options?: ClientOptions): Promise<TestWsClient> {
    const ws = new WebSocket(url, options);
    const client = new TestWsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Messages parsed as JSON (malformed ones are skipped). */
  get messages(): unknown[] {
    const out: unknown[] = [];
    for (const r of this.raw) {
      try {
        out.push(JSON.parse(r));
      } catch {
        // a malformed message (fault injection); tests look at `raw` for those
      }
    }
    return out;
  }

  send(body: unknown): void {
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** Resolves once `done()` holds; rejects after a generous failsafe (never asserted on). */
  async until(done: () => boolean, what = 'condition'): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${this.raw.length} messages`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Resolves with the count-th raw message (1-based). */
  async nth(count: number): Promise<string> {
    await this.until(() => this.raw.length >= count, `${count} messages`);
    return this.raw[count - 1] as string;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Resolves after `ms` (to let in-flight frames arrive; never used to assert on time). */
export function settle(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
