/**
 * What one browser gets at each push, decided from how much it has not yet read. A fast client gets every
 * delta. A slow one (a background tab, a busy laptop) whose unsent bytes pass `slowBytes` gets nothing until
 * it has drained, then one snapshot that replaces what it missed: the server never queues deltas for it, so
 * its memory cost is bounded by `maxBytes`, past which the connection is dropped (the page reconnects and
 * starts again from a snapshot).
 */

/** The part of a websocket the feed uses (`ws.WebSocket` fits). */
export interface FeedSocket {
  /** Bytes queued by send() but not yet handed to the network. */
  readonly bufferedAmount: number;
  send(data: string): void;
  terminate(): void;
}

/** Limits of {@link ClientFeed}. */
export interface FeedLimits {
  /**
   * Unsent bytes above which deltas are skipped for this client.
   * @default 1 MiB
   */
  readonly slowBytes?: number;
  /**
   * Unsent bytes above which the client is disconnected.
   * @default 8 MiB
   */
  readonly maxBytes?: number;
}

/** What a push did for one client. */
export type FeedAction = 'snapshot' | 'delta' | 'skipped' | 'idle' | 'terminated';

export const DEFAULT_SLOW_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export class ClientFeed {
  /** The client needs a snapshot before any delta (new, or it missed some). */
  private needsSnapshot = true;
  private closed = false;
  /** Deltas not sent because the client was behind. */
  skipped = 0;
  snapshots = 0;
  deltas = 0;
  private readonly slowBytes: number;
  private readonly maxBytes: number;

  constructor(
    private readonly socket: FeedSocket,
    limits: FeedLimits = {},
  ) {
    this.slowBytes = limits.slowBytes ?? DEFAULT_SLOW_BYTES;
    this.maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** True once the client was dropped. */
  get terminated(): boolean {
    return this.closed;
  }

  /**
   * One push: `delta` is this push's shared message (null when nothing changed); `snapshot()` builds the full
   * state, called only when this client needs it. Returns what was done.
   */
  push(delta: string | null, snapshot: () => string): FeedAction {
    if (this.closed) return 'terminated';
    const pending = this.socket.bufferedAmount;
    if (pending > this.maxBytes) {
      this.closed = true;
      this.socket.terminate();
      return 'terminated';
    }
    if (pending > this.slowBytes) {
      if (delta === null) return 'idle';
      this.needsSnapshot = true;
      this.skipped++;
      return 'skipped';
    }
    if (this.needsSnapshot) {
      this.needsSnapshot = false;
      this.snapshots++;
      this.socket.send(snapshot());
      return 'snapshot';
    }
    if (delta === null) return 'idle';
    this.deltas++;
    this.socket.send(delta);
    return 'delta';
  }
}
