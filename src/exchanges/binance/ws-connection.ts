/**
 * One websocket connection to Binance's market streams: opens the combined-stream URL, sends the remaining
 * SUBSCRIBE batches paced within the control-message limit, stamps every message with its receive time,
 * and watches for a connection that has gone silent. Routing and books are the caller's (ws-depth-stream.ts).
 *
 * Binance rules it follows (BINANCE.md, "Websocket market streams"):
 * - the server pings every 20 s (USD-M: 3 min) and expects a pong with the same payload; the `ws` package
 *   answers every ping that way by itself (`autoPong`, on by default), which the simulator's heartbeat test
 *   confirms. A pong is an incoming control message to the server, so each ping spends one slot of the
 *   per-second control budget here too;
 * - at most 5 incoming control messages per second per connection (USD-M 10): SUBSCRIBE and UNSUBSCRIBE
 *   wait for a free slot of a sliding window. The window is CONTROL_WINDOW_MS (a second plus a margin, since
 *   the server counts arrival times, which network jitter can bunch up), and our own messages leave one slot
 *   free for an automatic pong that may have to go out at any moment.
 */
import WebSocket from 'ws';
import { RateWindow } from './ws-rate-window.js';

/** Binance's incoming control-message limit per connection per second (spot). */
export const SPOT_CONTROL_MESSAGES_PER_SECOND = 5;
/** USD-M futures allows 10 incoming messages per second. */
export const FUTURES_CONTROL_MESSAGES_PER_SECOND = 10;
/** The control-message window: one second as the server counts it, plus a margin for delivery jitter. */
export const CONTROL_WINDOW_MS = 1_100;

/** Options of a {@link WsConnection}. */
export interface WsConnectionOptions {
  /** The full URL, e.g. `wss://…/stream?streams=btcusdt@depth@100ms`. */
  readonly url: string;
  /** Streams to SUBSCRIBE once open, one message per batch. */
  readonly subscribeBatches?: readonly (readonly string[])[];
  /** Control messages (our SUBSCRIBE/UNSUBSCRIBE plus automatic pongs) allowed per second. */
  readonly maxControlMessagesPerSecond: number;
  /** No message, ping or pong for this long: the connection is terminated as dead. */
  readonly idleTimeoutMs: number;
  /** @default true */
  readonly verifyTls?: boolean;
  /** Local clock (epoch ms) used to stamp messages. */
  readonly now: () => number;
  /** Every text message, parsed (or `undefined` with the text when it is not JSON), with its receive time. */
  readonly onMessage: (value: unknown, receivedAtMs: number, text: string) => void;
  /**
   * Tried first with every text message: returns true when it consumed the message (a fast path that
   * reads the text itself), false to have it parsed and handed to `onMessage`.
   */
  readonly onText?: (text: string, receivedAtMs: number) => boolean;
  readonly onOpen?: () => void;
  /** Every stream of the URL and of the batches has been acknowledged. */
  readonly onSubscribed?: () => void;
  /** The connection is gone (closed by either side, failed to open, or terminated as idle). */
  readonly onClose?: (code: number, reason: string) => void;
}

/** Where a connection stands. */
export type WsConnectionState = 'connecting' | 'open' | 'closed';

interface PendingControl {
  readonly body: { method: string; params: readonly string[]; id: number };
  readonly initial: boolean;
}

export class WsConnection {
  private readonly ws: WebSocket;
  private readonly control: RateWindow;
  private readonly queue: PendingControl[] = [];
  private readonly awaiting = new Set<number>();
  private nextId = 1;
  private drainTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private currentState: WsConnectionState = 'connecting';
  private initialLeft: number;
  private lastError = '';
  /** When the connection opened (epoch ms), or null before. */
  openedAtMs: number | null = null;

  constructor(private readonly o: WsConnectionOptions) {
    this.control = new RateWindow(o.maxControlMessagesPerSecond, CONTROL_WINDOW_MS);
    const batches = o.subscribeBatches ?? [];
    this.initialLeft = batches.length;
    for (const batch of batches) this.enqueue('SUBSCRIBE', batch, true);
    this.ws = new WebSocket(o.url, {
      rejectUnauthorized: o.verifyTls ?? true,
      handshakeTimeout: o.idleTimeoutMs,
    });
    this.ws.on('open', () => {
      this.currentState = 'open';
      this.openedAtMs = o.now();
      this.touch();
      o.onOpen?.();
      if (this.initialLeft === 0) o.onSubscribed?.();
      this.drain();
    });
    this.ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const receivedAtMs = o.now();
      this.touch();
      if (isBinary) return;
      const text = data.toString();
      if (o.onText?.(text, receivedAtMs) === true) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        o.onMessage(undefined, receivedAtMs, text);
        return;
      }
      this.noteReply(value);
      o.onMessage(value, receivedAtMs, text);
    });
    this.ws.on('ping', () => {
      // The automatic pong is an incoming control message for the server.
      this.control.record(o.now());
      this.touch();
    });
    this.ws.on('pong', () => this.touch());
    this.ws.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      this.finish();
      const text = reason.toString();
      o.onClose?.(code, text !== '' ? text : this.lastError);
    });
  }

  /** Returns where the connection stands. */
  get state(): WsConnectionState {
    return this.currentState;
  }

  /** Returns how many control messages wait for a free slot or an answer. */
  get pendingControl(): number {
    return this.queue.length + this.awaiting.size;
  }

  /** Queues `{"method":"SUBSCRIBE","params":streams}`, sent within the control-message limit. */
  subscribe(streams: readonly string[]): void {
    this.enqueue('SUBSCRIBE', streams, false);
    this.drain();
  }

  /** Queues `{"method":"UNSUBSCRIBE","params":streams}`, sent within the control-message limit. */
  unsubscribe(streams: readonly string[]): void {
    this.enqueue('UNSUBSCRIBE', streams, false);
    this.drain();
  }

  /** Closes the connection with a close frame (code 1000). */
  close(): void {
    this.stopTimers();
    if (this.currentState === 'closed') return;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000, 'obi: closing');
  }

  /** Drops the connection at once, without a close frame. */
  terminate(reason = ''): void {
    if (reason !== '') this.lastError = reason;
    this.stopTimers();
    this.ws.terminate();
  }

  private enqueue(method: string, params: readonly string[], initial: boolean): void {
    this.queue.push({ body: { method, params, id: this.nextId++ }, initial });
  }

  private drain(): void {
    if (this.drainTimer !== null || this.currentState !== 'open') return;
    while (this.queue.length > 0) {
      const nowMs = this.o.now();
      // Cost 2 = this message plus the slot kept for a pong.
      const delay = this.control.delayMs(nowMs, 2);
      if (delay > 0) {
        this.drainTimer = setTimeout(() => {
          this.drainTimer = null;
          this.drain();
        }, Math.ceil(delay));
        return;
      }
      const next = this.queue.shift() as PendingControl;
      this.control.record(nowMs);
      if (next.initial) this.awaiting.add(next.body.id);
      this.ws.send(JSON.stringify(next.body));
    }
  }

  /** Counts acknowledgements (`{"result":null,"id":n}`) of the initial SUBSCRIBE batches. */
  private noteReply(value: unknown): void {
    if (this.awaiting.size === 0 || typeof value !== 'object' || value === null) return;
    const id = (value as Record<string, unknown>)['id'];
    if (typeof id !== 'number' || !this.awaiting.delete(id)) return;
    this.initialLeft--;
    if (this.initialLeft === 0) this.o.onSubscribed?.();
  }

  private touch(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.terminate(`no message, ping or pong for ${this.o.idleTimeoutMs} ms`);
    }, this.o.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private stopTimers(): void {
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private finish(): void {
    this.currentState = 'closed';
    this.stopTimers();
  }
}
