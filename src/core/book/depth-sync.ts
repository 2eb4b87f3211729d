/**
 * Binance's local-order-book procedure for one symbol as a pure state machine: events in, actions out,
 * no I/O and no clock. The caller owns the socket and the REST client and does what the actions say
 * (fetch a snapshot, report a gap). A gap restarts this symbol only.
 *
 * Rules (BINANCE.md, "How to keep a local order book in sync" and "USD-M futures variant"):
 * - spot: step 3 refetches a snapshot whose `lastUpdateId` is below the first buffered `U`; step 4 drops
 *   events with `u <= lastUpdateId`; step 6 ignores `u <` the book's id and restarts on `U >` id + 1.
 * - futures (USD-M, also COIN-M): drop `u < lastUpdateId`; the first applied event has
 *   `U <= lastUpdateId <= u`; afterwards each `pu` must equal the previous `u`.
 * - binance-us: the older spot form, "first event must have `U <= lastUpdateId+1 <= u`", so a snapshot
 *   exactly one id before the first buffered `U` is accepted instead of refetched.
 *
 * A limited snapshot leaves levels beyond its depth unknown (OrderBook's known window), and the window
 * does not grow: once the price moves past its edge the touch itself is unknown (in the hftbacktest
 * BTCUSDT recordings, after about 4 minutes with limit=1000). {@link DepthSync.refresh} renews it
 * without leaving sync; the caller decides when (e.g. `book.knownBidDepth` below the depth it reads).
 */
import type { BookDiff, BookSnapshot } from '../../events.js';
import { BookSyncError, ConfigError } from '../../errors.js';
import { OrderBook } from './order-book.js';

/** Which documented procedure to follow. */
export type DepthSyncRules = 'spot' | 'futures' | 'binance-us';

/** Options of one symbol's {@link DepthSync}. */
export interface DepthSyncOptions {
  /** The symbol kept; a diff or snapshot for another symbol is a routing bug and throws. */
  readonly symbol: string;
  /**
   * Which procedure: `spot` (api.binance.com), `futures` (USD-M and COIN-M, `pu` chaining) or
   * `binance-us` (older first-event rule).
   * @default 'spot'
   */
  readonly rules?: DepthSyncRules;
  /**
   * Most diffs buffered while waiting for a snapshot; one more discards the buffer and restarts.
   * @default 5000
   */
  readonly maxBufferedDiffs?: number;
}

/** Default for {@link DepthSyncOptions.maxBufferedDiffs}: about a minute of COIN-M `@depth@0ms`. */
export const DEFAULT_MAX_BUFFERED_DIFFS = 5000;

/**
 * - `starting`: nothing buffered since the (re)start (step 1); a snapshot that arrives now is held.
 * - `awaiting-snapshot`: diffs are buffered and a snapshot was asked for (step 2).
 * - `synced`: the book equals the venue's book at `updateId` (step 6).
 */
export type DepthSyncState = 'starting' | 'awaiting-snapshot' | 'synced';

/** The first diff since a (re)start was buffered: fetch a snapshot now (step 2). */
export interface FetchSnapshotAction {
  readonly type: 'fetch-snapshot';
  /** `U` of the first buffered diff; a usable snapshot has `lastUpdateId` at or above it. */
  readonly firstUpdateId: number;
}

/** A diff was buffered while the snapshot is on its way. */
export interface BufferedAction {
  readonly type: 'buffered';
  readonly buffered: number;
}

/**
 * A snapshot was kept for later: it came before any diff (its use is decided by the first one), or, in
 * a refresh, it is ahead of the live book (used once the stream reaches its `lastUpdateId`).
 */
export interface SnapshotHeldAction {
  readonly type: 'snapshot-held';
  readonly lastUpdateId: number;
}

/** Step 3: the snapshot is older than the first buffered diff: fetch it again. */
export interface SnapshotTooOldAction {
  readonly type: 'snapshot-too-old';
  readonly lastUpdateId: number;
  readonly firstUpdateId: number;
}

/** The book is now in sync (steps 4-6 done with every buffered diff), or a refresh completed. */
export interface SyncedAction {
  readonly type: 'synced';
  /** The book's update id: the last applied `u`, or the snapshot's `lastUpdateId`. */
  readonly updateId: number;
  /** Buffered diffs applied. */
  readonly applied: number;
  /** Buffered diffs dropped as already inside the snapshot. */
  readonly dropped: number;
}

/** A live diff was applied; the book is at `updateId`. */
export interface AppliedAction {
  readonly type: 'applied';
  readonly updateId: number;
}

/** A diff older than the book was ignored ("`u` < book's update id: ignore the event"). */
export interface IgnoredAction {
  readonly type: 'ignored';
  readonly finalUpdateId: number;
  readonly updateId: number;
}

/** A snapshot arrived while the book is already synced; it was not used. */
export interface SnapshotIgnoredAction {
  readonly type: 'snapshot-ignored';
  readonly lastUpdateId: number;
  readonly updateId: number;
}

/**
 * Events were missed: the book was discarded and the symbol restarted from step 1, with the diff that
 * showed the gap as the first buffered one. Fetch a snapshot now.
 */
export interface GapAction {
  readonly type: 'gap';
  /** Which id was checked: `U` (spot: at most book id + 1; futures first event: at most the id) or `pu`. */
  readonly field: 'U' | 'pu';
  /** The bound (`U`) or value (`pu`) the rule required. */
  readonly expected: number;
  readonly got: number;
  /** `U` of the diff now first in the buffer. */
  readonly firstUpdateId: number;
  /** A readable account for logs, naming the symbol and the rule. */
  readonly detail: string;
}

/** The buffer hit `maxBufferedDiffs`: it was discarded and this diff starts a new one. Fetch a snapshot. */
export interface BufferOverflowAction {
  readonly type: 'buffer-overflow';
  readonly dropped: number;
  readonly firstUpdateId: number;
}

export type DepthSyncAction =
  | FetchSnapshotAction
  | BufferedAction
  | SnapshotHeldAction
  | SnapshotTooOldAction
  | SyncedAction
  | AppliedAction
  | IgnoredAction
  | SnapshotIgnoredAction
  | GapAction
  | BufferOverflowAction;

/** Returns true when the action asks the caller to fetch a (new) REST snapshot. */
export function asksForSnapshot(action: DepthSyncAction): boolean {
  return (
    action.type === 'fetch-snapshot' ||
    action.type === 'snapshot-too-old' ||
    action.type === 'gap' ||
    action.type === 'buffer-overflow'
  );
}

/** Running totals since construction (kept across restarts). */
export interface DepthSyncCounters {
  /** Diffs applied to the book, buffered ones included. */
  applied: number;
  /** Diffs dropped or ignored as older than the book. */
  ignored: number;
  /** Sequence gaps detected. */
  gaps: number;
  /** Restarts from step 1 after a gap or a buffer overflow. */
  resyncs: number;
  /** Snapshots refetched because they were older than the first buffered diff. */
  staleSnapshots: number;
  /** Times the book was (re)built from a snapshot, refreshes included. */
  syncs: number;
}

const APPLIED = 0;
const IGNORED = 1;
const GAP = 2;
type StepResult = typeof APPLIED | typeof IGNORED | typeof GAP;

/** One symbol's local book and the procedure that keeps it in sync. */
export class DepthSync {
  /** The local book; meaningful only while `state` is `synced`. */
  readonly book = new OrderBook();
  readonly symbol: string;
  readonly rules: DepthSyncRules;
  readonly maxBufferedDiffs: number;
  private readonly counts: DepthSyncCounters = {
    applied: 0,
    ignored: 0,
    gaps: 0,
    resyncs: 0,
    staleSnapshots: 0,
    syncs: 0,
  };

  private currentState: DepthSyncState = 'starting';
  /** The book's update id (step 5: the snapshot's `lastUpdateId`, then each applied `u`). */
  private bookId: number | null = null;
  /** True from applying a snapshot until the first diff is applied: that diff has its own rule. */
  private firstPending = false;
  /**
   * Diffs not yet in the book while not synced; while synced and refreshing, the diffs applied since the
   * refresh began (to replay onto the new snapshot).
   */
  private buffer: BookDiff[] = [];
  private held: BookSnapshot | null = null;
  private refreshing = false;
  private lastApplied: BookDiff | null = null;
  private gapField: 'U' | 'pu' = 'U';
  private gapExpected = 0;
  private gapGot = 0;

  constructor(options: DepthSyncOptions) {
    this.symbol = options.symbol;
    this.rules = options.rules ?? 'spot';
    this.maxBufferedDiffs = options.maxBufferedDiffs ?? DEFAULT_MAX_BUFFERED_DIFFS;
    if (!Number.isSafeInteger(this.maxBufferedDiffs) || this.maxBufferedDiffs < 1) {
      throw new ConfigError(
        `maxBufferedDiffs must be a positive integer, got ${this.maxBufferedDiffs}`,
        'maxBufferedDiffs',
      );
    }
  }

  /** Returns the running totals (a live view, not a copy). */
  get counters(): Readonly<DepthSyncCounters> {
    return this.counts;
  }

  /** Returns where the procedure stands. */
  get state(): DepthSyncState {
    return this.currentState;
  }

  /** Returns the book's update id while synced, else null. */
  get updateId(): number | null {
    return this.bookId;
  }

  /** Returns how many diffs wait in the buffer (or, while refreshing, would be replayed). */
  get bufferedCount(): number {
    return this.buffer.length;
  }

  /** Returns true while a {@link refresh} waits for its snapshot. */
  get isRefreshing(): boolean {
    return this.refreshing;
  }

  /** Feeds one diff-depth event. Returns what happened and what the caller must do. */
  onDiff(diff: BookDiff): DepthSyncAction {
    this.checkSymbol(diff.symbol, diff.finalUpdateId);
    if (this.currentState === 'synced') {
      const r = this.step(diff);
      if (r === GAP) return this.restartAfterGap([diff]);
      if (r === IGNORED) {
        this.counts.ignored++;
        return { type: 'ignored', finalUpdateId: diff.finalUpdateId, updateId: this.bookId as number };
      }
      this.counts.applied++;
      if (this.refreshing) {
        // Bounded like the start-up buffer: restart the replay from here (an older snapshot is then
        // reported too old and fetched again).
        if (this.buffer.length >= this.maxBufferedDiffs) this.buffer = [];
        this.buffer.push(diff);
        const held = this.held;
        if (held !== null && (held.lastUpdateId as number) <= diff.finalUpdateId) return this.trySync();
      }
      return { type: 'applied', updateId: diff.finalUpdateId };
    }
    if (this.currentState === 'starting') {
      // Step 1: "buffer events; note U of the first event".
      this.buffer.push(diff);
      this.currentState = 'awaiting-snapshot';
      if (this.held !== null) return this.trySync();
      return { type: 'fetch-snapshot', firstUpdateId: diff.firstUpdateId };
    }
    if (this.buffer.length >= this.maxBufferedDiffs) {
      const dropped = this.buffer.length;
      this.buffer = [diff];
      this.counts.resyncs++;
      return { type: 'buffer-overflow', dropped, firstUpdateId: diff.firstUpdateId };
    }
    this.buffer.push(diff);
    return { type: 'buffered', buffered: this.buffer.length };
  }

  /** Feeds one REST depth snapshot. Returns what happened and what the caller must do. */
  onSnapshot(snapshot: BookSnapshot): DepthSyncAction {
    this.checkSymbol(snapshot.symbol, snapshot.lastUpdateId);
    const id = snapshot.lastUpdateId;
    if (id === null) {
      throw new BookSyncError(
        `symbol=${this.symbol}: snapshot has no lastUpdateId; Binance sync needs one`,
        this.symbol,
        null,
        null,
      );
    }
    if (this.currentState === 'synced') {
      if (!this.refreshing)
        return { type: 'snapshot-ignored', lastUpdateId: id, updateId: this.bookId as number };
      // A snapshot ahead of the live book waits until the stream catches up with it.
      if (id > (this.bookId as number)) return this.hold(snapshot);
      this.held = snapshot;
      return this.trySync();
    }
    // Step 3 needs the first U, which no diff has given yet: keep the newest snapshot until one does.
    if (this.currentState === 'starting') return this.hold(snapshot);
    this.held = snapshot;
    return this.trySync();
  }

  /**
   * While synced, asks for a new snapshot to renew the known window (it shrinks as the price moves away
   * from the snapshot's depth) without leaving sync: the live book keeps updating, and when the snapshot
   * arrives it is rebuilt from the snapshot plus the diffs applied since. Returns the fetch request, or
   * null when not synced (the procedure already asked for one) or a refresh is already running.
   */
  refresh(): FetchSnapshotAction | null {
    if (this.currentState !== 'synced' || this.refreshing) return null;
    this.refreshing = true;
    // Keep the last applied diff: the new snapshot may fall inside it (futures: "U <= lastUpdateId <= u").
    this.buffer = this.lastApplied === null ? [] : [this.lastApplied];
    return {
      type: 'fetch-snapshot',
      firstUpdateId: this.lastApplied?.firstUpdateId ?? (this.bookId as number),
    };
  }

  /**
   * Discards the book, the buffer and any held snapshot and returns to step 1 (e.g. after a reconnect).
   * Counters are kept.
   */
  restart(): void {
    this.book.clear();
    this.bookId = null;
    this.firstPending = false;
    this.buffer = [];
    this.held = null;
    this.refreshing = false;
    this.lastApplied = null;
    this.currentState = 'starting';
  }

  private hold(snapshot: BookSnapshot): SnapshotHeldAction {
    const id = snapshot.lastUpdateId as number;
    if (this.held === null || (this.held.lastUpdateId as number) < id) this.held = snapshot;
    return { type: 'snapshot-held', lastUpdateId: id };
  }

  /**
   * Steps 3-6 with the held snapshot and the buffered diffs. Also completes a refresh, where the buffer
   * holds the diffs applied since it began and is empty only if none was (then the snapshot is usable
   * only at exactly the book's id).
   */
  private trySync(): DepthSyncAction {
    const snapshot = this.held as BookSnapshot;
    this.held = null;
    const lastUpdateId = snapshot.lastUpdateId as number;
    const refreshing = this.refreshing;
    const first = this.buffer[0];
    const firstU = first === undefined ? (this.bookId as number) : first.firstUpdateId;
    // spot step 3: "If the snapshot's lastUpdateId is strictly less than that first U, fetch the snapshot
    // again." futures: the first applied event needs U <= lastUpdateId, impossible when lastUpdateId < U.
    // binance-us: the first event needs U <= lastUpdateId+1, so only lastUpdateId + 1 < U is too old.
    const tooOld =
      this.rules === 'binance-us' && first !== undefined ? lastUpdateId + 1 < firstU : lastUpdateId < firstU;
    if (tooOld) {
      this.counts.staleSnapshots++;
      return { type: 'snapshot-too-old', lastUpdateId, firstUpdateId: firstU };
    }
    // Step 5: "Set the book to the snapshot; its update id is lastUpdateId."
    this.refreshing = false;
    this.book.applySnapshot(snapshot.bids, snapshot.asks, snapshot.depthLimit);
    this.bookId = lastUpdateId;
    this.firstPending = true;
    this.currentState = 'synced';
    // Steps 4 and 6 on the buffered diffs, in arrival order.
    const buffer = this.buffer;
    let applied = 0;
    let dropped = 0;
    for (let i = 0; i < buffer.length; i++) {
      const diff = buffer[i] as BookDiff;
      const r = this.step(diff);
      if (r === APPLIED) applied++;
      else if (r === IGNORED) dropped++;
      else return this.restartAfterGap(buffer.slice(i));
    }
    // A refresh replays diffs already counted when they first went live.
    if (!refreshing) {
      this.counts.applied += applied;
      this.counts.ignored += dropped;
    }
    this.buffer = [];
    this.counts.syncs++;
    return { type: 'synced', updateId: this.bookId, applied, dropped };
  }

  /** Applies one diff to the synced book under the rules; on GAP or IGNORED the book is untouched. */
  private step(diff: BookDiff): StepResult {
    const id = this.bookId as number;
    const first = diff.firstUpdateId;
    const last = diff.finalUpdateId;
    if (this.rules === 'futures') {
      if (this.firstPending) {
        // "Drop events with u < lastUpdateId; the first applied event has U <= lastUpdateId <= u."
        if (last < id) return IGNORED;
        if (first > id) return this.gap('U', id, first);
      } else {
        // A diff wholly at or below the book's id carries nothing new (a duplicate or a late copy); the
        // pu rule would call it a gap, but the book already holds its effect.
        if (last <= id) return IGNORED;
        // "each event's pu must equal the previous event's u, otherwise resync".
        const pu = diff.prevFinalUpdateId;
        if (pu === null) {
          throw new BookSyncError(
            `symbol=${this.symbol}: futures rules need pu, diff U=${first} u=${last} has none`,
            this.symbol,
            id,
            first,
          );
        }
        if (pu !== id) return this.gap('pu', id, pu);
      }
    } else {
      // spot step 4 "Drop buffered events with u <= lastUpdateId" (first event after the snapshot), then
      // step 6 "u < book's update id: ignore the event".
      if (this.firstPending ? last <= id : last < id) return IGNORED;
      // Step 6: "U > book's update id + 1: events were missed". For the first event this is the
      // binance-us rule U <= lastUpdateId+1 <= u, which the spot rule implies once step 3 passed.
      if (first > id + 1) return this.gap('U', id + 1, first);
    }
    // Step 6: "otherwise set each level (insert, overwrite, or delete when qty is 0), then book update
    // id := u."
    this.book.applyBookDiff(diff);
    this.bookId = last;
    this.firstPending = false;
    this.lastApplied = diff;
    return APPLIED;
  }

  private gap(field: 'U' | 'pu', expected: number, got: number): StepResult {
    this.gapField = field;
    this.gapExpected = expected;
    this.gapGot = got;
    return GAP;
  }

  /** "discard the book and restart from step 1 for that symbol", keeping the diffs from the gap on. */
  private restartAfterGap(buffer: BookDiff[]): GapAction {
    const bookId = this.bookId;
    this.restart();
    this.currentState = 'awaiting-snapshot';
    this.buffer = buffer;
    this.counts.gaps++;
    this.counts.resyncs++;
    const field = this.gapField;
    const rule =
      field === 'pu'
        ? `pu=${this.gapGot} != previous u=${this.gapExpected}`
        : `U=${this.gapGot} > ${this.gapExpected}` +
          (this.rules === 'futures' ? ' (lastUpdateId)' : ' (book id + 1)');
    return {
      type: 'gap',
      field,
      expected: this.gapExpected,
      got: this.gapGot,
      firstUpdateId: (buffer[0] as BookDiff).firstUpdateId,
      detail: `symbol=${this.symbol}: events were missed after update id ${bookId}: ${rule}; resyncing`,
    };
  }

  private checkSymbol(symbol: string, id: number | null): void {
    if (symbol !== this.symbol) {
      throw new BookSyncError(
        `symbol=${symbol}: event routed to the ${this.symbol} book`,
        this.symbol,
        this.bookId,
        id,
      );
    }
  }
}
