/**
 * One local book per symbol, kept from diffs and REST snapshots with Binance's procedure (DepthSync), plus
 * the few decisions around it that a live source and a replay must make identically. Pure: events in,
 * book state, status events and snapshot requests out; no I/O, no clock (times come with the events).
 *
 * Everything that changes a book is decided from the events alone, so that a replay of the recorded
 * events rebuilds the same books at the same points:
 * - a diff goes to the symbol's DepthSync (buffer, sync, apply, gap → restart of that symbol only);
 * - a snapshot for a symbol that is not in sync goes to its DepthSync (BINANCE.md steps 2–5);
 * - a snapshot for a symbol that IS in sync (a refresh, a staleness check, or a tardis.dev book restart)
 *   rebuilds the book from that snapshot plus the recent diffs already received; when the recent diffs
 *   reach back to the snapshot, the new book replaces the old one without a moment out of sync, and when the
 *   snapshot is newer than the book the book moves forward to it (the stream had not delivered those
 *   updates yet, or never will);
 * - a missing-data event (the live stream lost the symbol: a dropped connection) restarts the symbol;
 * - a crossed or locked snapshot (best bid at or above best ask) is refused and another one requested: a
 *   venue's matching engine cannot rest such a book, so the snapshot is corrupt, and taking it would keep
 *   its impossible levels in the local book until the next resync (diffs never delete what the venue
 *   never had).
 * Decisions that only ask for data — fetch a snapshot because a truncated side's known window shrank
 * below the levels the features need, or because a synced symbol has been quiet for `staleAfterMs` — are
 * requests: a live source fetches, a replay finds the answer in the recording.
 */
import type { BookSample } from '../core/book-sample.js';
import { DepthSync, type DepthSyncAction, type DepthSyncRules } from '../core/book/depth-sync.js';
import { createDepthView, type DepthView } from '../core/book/depth-view.js';
import type { OrderBook } from '../core/book/order-book.js';
import { RecentDiffs } from '../core/book/recent-diffs.js';
import type { BookDiff, BookSnapshot, MissingSample, StreamStatus, Venue } from '../events.js';
import { ConfigError } from '../errors.js';
import { comparePriceStrings } from '../core/book/price-compare.js';

/** Why a snapshot is wanted: DepthSync's own steps (`sync`, `too-old`) or the keeper's (`refresh`, `stale`). */
export type SnapshotReason = 'sync' | 'too-old' | 'refresh' | 'stale';

/** A request for a REST depth snapshot of one symbol. */
export interface SnapshotRequest {
  readonly symbol: string;
  readonly reason: SnapshotReason;
  /** The time of the event that led to it (epoch ms). */
  readonly localTimeMs: number;
}

/** Default of {@link DiffBookKeeperOptions.staleAfterMs}. */
export const DEFAULT_STALE_AFTER_MS = 30_000;
/**
 * Default of {@link DiffBookKeeperOptions.recentDiffsMs}: a margin for a REST snapshot that lags the stream
 * a little. A rebuild starts at the newest diff whose U is at or below the snapshot's lastUpdateId, and
 * a requested snapshot is at least as new as the venue was when it was asked for, so diffs older than the
 * request are never needed; keeping 10 s of them cost a third of a replay's time in garbage collection
 * (every retained diff was promoted to the old generation).
 */
export const DEFAULT_RECENT_DIFFS_MS = 2_000;
/**
 * While a snapshot is awaited, diffs are kept from `recentDiffsMs` before the request, but never more than
 * this long: with a thousand symbols waiting on a paced snapshot queue, "everything since" would hold
 * thousands of diffs per symbol. A snapshot later than this is ignored (the book in hand stays) and the
 * window check asks again.
 */
const MAX_PENDING_RETENTION_MS = 30_000;
/** Most recent diffs kept per symbol for rebuilds, whatever their age. */
const MAX_RECENT_DIFFS = 4096;

/** Options of a {@link DiffBookKeeper}. */
export interface DiffBookKeeperOptions {
  /** Levels per side each sample's view holds (the deepest level any feature reads). */
  readonly depth: number;
  /**
   * A side truncated by its snapshot must keep at least this many levels inside its known window; below
   * that a fresh snapshot is requested (when the last snapshot was deep enough to give them).
   * @default depth
   */
  readonly minKnownDepth?: number;
  /**
   * A synced symbol without any diff for this long gets a checking snapshot; 0 turns the check off.
   * @default 30000
   */
  readonly staleAfterMs?: number;
  /**
   * Diffs younger than this (by receive time, relative to the newest) are kept for rebuilds; while a
   * refresh or staleness snapshot is outstanding, every diff since this long before the request is kept
   * (for at most 30 s and 4096 diffs).
   * @default 2000
   */
  readonly recentDiffsMs?: number;
  /** DepthSync's buffer bound. @default 5000 */
  readonly maxBufferedDiffs?: number;
  /** Venue of symbols added before any of their events. @default binance spot */
  readonly venue?: Venue;
  /** Called when a symbol needs a REST snapshot. A live source fetches it; a replay has it recorded. */
  readonly onSnapshotNeeded?: (request: SnapshotRequest) => void;
  /** Called on `synced`, `gap`, `resync` and `stale`. */
  readonly onStatus?: (status: StreamStatus) => void;
  /**
   * Called when a staleness check found the venue ahead of a quiet symbol's book: its stream has stopped
   * delivering, so a live source should subscribe to it again.
   */
  readonly onStreamBehind?: (symbol: string) => void;
}

/** Running totals over all symbols. */
export interface DiffBookKeeperStats {
  /** Symbols whose book is in sync now. */
  synced: number;
  /** Times a symbol became synced (first syncs and resyncs). */
  syncs: number;
  gaps: number;
  /** Restarts after a gap or a buffer overflow (lost streams are the source's to count). */
  resyncs: number;
  /** Books rebuilt from a snapshot while in sync (refreshes, staleness checks). */
  rebuilds: number;
  /** Rebuilds that moved the book forward to a newer snapshot. */
  jumps: number;
  staleChecks: number;
  snapshotRequests: number;
  /** Snapshots refused because their best bid was at or above their best ask. */
  refusedSnapshots: number;
}

interface SymbolState {
  readonly symbol: string;
  readonly venue: Venue;
  readonly rules: DepthSyncRules;
  sync: DepthSync;
  readonly view: DepthView;
  /** Why the book is not in sync (row reason). */
  reason: string;
  /** Diffs received since the last restart, oldest first, bounded by age and count. */
  readonly recent: RecentDiffs;
  /** The last diff fed while not synced, and the last snapshot fed while not synced. */
  lastUnsyncedDiff: BookDiff | null;
  lastUnsyncedSnapshot: BookSnapshot | null;
  /** Time fields of the data the book reflects. */
  exchangeTimeMs: number | null;
  receiveTimeMs: number | null;
  /** The `depthLimit` of the snapshot the book was built from. */
  snapshotDepthLimit: number | null;
  /** Receive time of the last diff or snapshot (staleness). */
  lastActivityMs: number;
  /** A keeper-initiated snapshot request is outstanding. */
  requested: boolean;
  /** When the outstanding keeper-initiated request was made (receive time of its event). */
  requestedAtMs: number;
  /** A staleness check is outstanding. */
  stale: boolean;
  wasSynced: boolean;
}

/** Returns how a snapshot's touch is impossible ("crossed: …" / "locked: …"), or null when it is not. */
function crossingOf(snapshot: BookSnapshot): string | null {
  const bid = snapshot.bids[0];
  const ask = snapshot.asks[0];
  if (bid === undefined || ask === undefined) return null;
  const c = comparePriceStrings(bid[0], ask[0]);
  if (c < 0) return null;
  return `${c > 0 ? 'crossed' : 'locked'} (best bid ${bid[0]} ${c > 0 ? 'above' : 'at'} best ask ${ask[0]})`;
}

/** Returns the DepthSync rules a venue follows. */
export function depthSyncRulesFor(venue: Venue): DepthSyncRules {
  if (venue.exchange === 'binance-us') return 'binance-us';
  return venue.market === 'futures' ? 'futures' : 'spot';
}

export class DiffBookKeeper {
  readonly stats: DiffBookKeeperStats = {
    synced: 0,
    syncs: 0,
    gaps: 0,
    resyncs: 0,
    rebuilds: 0,
    jumps: 0,
    staleChecks: 0,
    snapshotRequests: 0,
    refusedSnapshots: 0,
  };
  private readonly states = new Map<string, SymbolState>();
  private readonly order: string[] = [];
  private readonly depth: number;
  private readonly minKnownDepth: number;
  private readonly staleAfterMs: number;
  private readonly recentDiffsMs: number;
  private readonly maxBufferedDiffs: number | undefined;
  private readonly defaultVenue: Venue;

  constructor(private readonly options: DiffBookKeeperOptions) {
    this.depth = options.depth;
    if (!Number.isInteger(this.depth) || this.depth < 1) {
      throw new ConfigError(`sample depth must be a whole number ≥ 1, got ${this.depth}`, 'depth');
    }
    this.minKnownDepth = options.minKnownDepth ?? this.depth;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    if (!(this.staleAfterMs >= 0)) {
      throw new ConfigError(`staleAfterMs must be ≥ 0, got ${this.staleAfterMs}`, 'staleAfterMs');
    }
    this.recentDiffsMs = options.recentDiffsMs ?? DEFAULT_RECENT_DIFFS_MS;
    this.maxBufferedDiffs = options.maxBufferedDiffs;
    this.defaultVenue = options.venue ?? { exchange: 'binance', market: 'spot' };
  }

  /** Returns the symbols known so far, in the order they were added. */
  symbols(): readonly string[] {
    return this.order;
  }

  /** Adds a symbol (no-op when known), so that it has samples before its first event. */
  addSymbol(symbol: string, venue: Venue = this.defaultVenue): void {
    this.stateOf(symbol, venue);
  }

  /** Returns true while the symbol's book is in sync. */
  isSynced(symbol: string): boolean {
    return this.states.get(symbol)?.sync.state === 'synced';
  }

  /** Returns the symbol's local book (meaningful only while synced), or null for an unknown symbol. */
  book(symbol: string): OrderBook | null {
    return this.states.get(symbol)?.sync.book ?? null;
  }

  /** Returns the symbol's book update id while synced, else null. */
  updateId(symbol: string): number | null {
    return this.states.get(symbol)?.sync.updateId ?? null;
  }

  /** Feeds one diff-depth event. */
  onDiff(diff: BookDiff): void {
    const st = this.stateOf(diff.symbol, diff);
    st.lastActivityMs = diff.localTimeMs;
    st.stale = false;
    this.remember(st, diff);
    const wasSynced = st.sync.state === 'synced';
    if (!wasSynced) st.lastUnsyncedDiff = diff;
    const action = st.sync.onDiff(diff);
    this.handle(st, action, diff.localTimeMs, diff);
  }

  /** Feeds one REST depth snapshot (or a tardis.dev snapshot). */
  onSnapshot(snapshot: BookSnapshot): void {
    const st = this.stateOf(snapshot.symbol, snapshot);
    st.lastActivityMs = Math.max(st.lastActivityMs, snapshot.localTimeMs);
    st.requested = false;
    const crossing = crossingOf(snapshot);
    if (crossing !== null) {
      this.refuse(st, snapshot, crossing);
      return;
    }
    if (st.sync.state === 'synced') {
      this.rebuild(st, snapshot);
      return;
    }
    st.lastUnsyncedSnapshot = snapshot;
    const action = st.sync.onSnapshot(snapshot);
    this.handle(st, action, snapshot.localTimeMs, null);
  }

  /** The live stream lost this symbol (e.g. its connection dropped): the book can no longer be trusted. */
  onMissing(missing: MissingSample): void {
    this.restart(this.stateOf(missing.symbol, missing), missing.reason);
  }

  /** Runs the staleness check at `nowMs`: a synced symbol quiet for longer than `staleAfterMs` is checked. */
  checkStale(nowMs: number): void {
    if (this.staleAfterMs === 0) return;
    for (const symbol of this.order) {
      const st = this.states.get(symbol) as SymbolState;
      if (st.sync.state !== 'synced' || st.requested) continue;
      const quietMs = nowMs - st.lastActivityMs;
      if (quietMs <= this.staleAfterMs) continue;
      st.stale = true;
      this.stats.staleChecks++;
      this.status(
        st,
        'stale',
        `symbol=${symbol}: no diff for ${Math.round(quietMs)} ms; checking the book against a snapshot`,
        nowMs,
      );
      this.request(st, 'stale', nowMs);
    }
  }

  /**
   * Returns the sample of `symbol` at `timeMs`. The sample's `view` belongs to the keeper and stays valid
   * until the next sample of the same symbol.
   */
  sample(symbol: string, timeMs: number): BookSample {
    const st = this.stateOf(symbol, this.defaultVenue);
    const view = st.view;
    const sync = st.sync;
    if (sync.state !== 'synced') {
      view.bidCount = 0;
      view.askCount = 0;
      return {
        symbol,
        timeMs,
        status: 'unsynced',
        reason: st.reason,
        lastUpdateId: null,
        exchangeTimeMs: null,
        receiveTimeMs: null,
        requestTimeMs: null,
        view,
        crossed: false,
        locked: false,
      };
    }
    sync.book.readTop(this.depth, view);
    return {
      symbol,
      timeMs,
      status: 'ok',
      reason: '',
      lastUpdateId: sync.updateId,
      exchangeTimeMs: st.exchangeTimeMs,
      receiveTimeMs: st.receiveTimeMs,
      requestTimeMs: null,
      view,
      crossed: sync.book.isCrossed(),
      locked: sync.book.isLocked(),
    };
  }

  private stateOf(symbol: string, venue: Venue): SymbolState {
    let st = this.states.get(symbol);
    if (st === undefined) {
      const rules = depthSyncRulesFor(venue);
      st = {
        symbol,
        venue: { exchange: venue.exchange, market: venue.market },
        rules,
        sync: this.newSync(symbol, rules),
        view: createDepthView(this.depth),
        reason: 'waiting for the first diff-depth event',
        recent: new RecentDiffs(venue, symbol),
        lastUnsyncedDiff: null,
        lastUnsyncedSnapshot: null,
        exchangeTimeMs: null,
        receiveTimeMs: null,
        snapshotDepthLimit: null,
        lastActivityMs: Number.NEGATIVE_INFINITY,
        requested: false,
        requestedAtMs: 0,
        stale: false,
        wasSynced: false,
      };
      this.states.set(symbol, st);
      this.order.push(symbol);
    }
    return st;
  }

  private newSync(symbol: string, rules: DepthSyncRules): DepthSync {
    return new DepthSync({
      symbol,
      rules,
      ...(this.maxBufferedDiffs !== undefined ? { maxBufferedDiffs: this.maxBufferedDiffs } : {}),
    });
  }

  private handle(st: SymbolState, action: DepthSyncAction, nowMs: number, diff: BookDiff | null): void {
    switch (action.type) {
      case 'fetch-snapshot':
        st.reason = 'waiting for a REST depth snapshot';
        this.request(st, 'sync', nowMs);
        return;
      case 'buffered':
      case 'snapshot-held':
      case 'ignored':
      case 'snapshot-ignored':
        return;
      case 'snapshot-too-old':
        st.reason =
          `snapshot lastUpdateId=${action.lastUpdateId} is older than the first buffered U=${action.firstUpdateId}; ` +
          'fetching another';
        this.request(st, 'too-old', nowMs);
        return;
      case 'applied':
        if (diff !== null) {
          st.exchangeTimeMs = diff.exchangeTimeMs;
          st.receiveTimeMs = diff.localTimeMs;
        }
        this.checkWindow(st, nowMs);
        return;
      case 'synced': {
        const snap = st.lastUnsyncedSnapshot;
        const last = st.lastUnsyncedDiff;
        if (action.applied > 0 && last !== null) {
          st.exchangeTimeMs = last.exchangeTimeMs;
          st.receiveTimeMs = Math.max(last.localTimeMs, snap?.localTimeMs ?? last.localTimeMs);
        } else {
          st.exchangeTimeMs = snap?.exchangeTimeMs ?? null;
          st.receiveTimeMs = snap?.localTimeMs ?? diff?.localTimeMs ?? null;
        }
        st.snapshotDepthLimit = snap?.depthLimit ?? null;
        st.lastUnsyncedDiff = null;
        st.lastUnsyncedSnapshot = null;
        st.reason = '';
        this.stats.synced++;
        this.stats.syncs++;
        st.wasSynced = true;
        this.status(
          st,
          'synced',
          `symbol=${st.symbol}: in sync at update id ${action.updateId} ` +
            `(${action.applied} buffered diffs applied, ${action.dropped} dropped)`,
          nowMs,
        );
        this.checkWindow(st, nowMs);
        return;
      }
      case 'gap': {
        if (st.wasSynced) this.stats.synced--;
        st.wasSynced = false;
        this.stats.gaps++;
        this.stats.resyncs++;
        st.reason = `gap: ${action.detail}`;
        st.recent.clear();
        if (diff !== null) st.recent.push(diff);
        st.lastUnsyncedDiff = diff;
        st.lastUnsyncedSnapshot = null;
        this.status(st, 'gap', action.detail, nowMs);
        this.request(st, 'sync', nowMs);
        return;
      }
      case 'buffer-overflow':
        this.stats.resyncs++;
        st.reason = `${action.dropped} diffs buffered without a usable snapshot; starting over`;
        st.recent.clear();
        if (diff !== null) st.recent.push(diff);
        this.status(st, 'resync', `symbol=${st.symbol}: ${st.reason}`, nowMs);
        this.request(st, 'sync', nowMs);
        return;
    }
  }

  /** Asks for a snapshot when a truncated side's known window no longer holds the levels features need. */
  private checkWindow(st: SymbolState, nowMs: number): void {
    if (st.requested || st.snapshotDepthLimit === null || st.snapshotDepthLimit < this.minKnownDepth) return;
    const book = st.sync.book;
    const need = this.minKnownDepth;
    const bidsShort = book.windowEdge('bids') !== null && book.knownBidDepth < need;
    const asksShort = book.windowEdge('asks') !== null && book.knownAskDepth < need;
    if (bidsShort || asksShort) this.request(st, 'refresh', nowMs);
  }

  /** A snapshot arrived while the book is in sync: rebuild from it and the recent diffs (see file comment). */
  private rebuild(st: SymbolState, snapshot: BookSnapshot): void {
    const L = snapshot.lastUpdateId;
    const oldId = st.sync.updateId as number;
    const wasStale = st.stale;
    st.stale = false;
    if (L === null) return;
    const recent = st.recent;
    // Start from the newest diff the snapshot's first-event rule accepts; older ones only get dropped.
    const bound = st.rules === 'binance-us' ? L + 1 : L;
    let start = -1;
    for (let i = recent.length - 1; i >= 0; i--) {
      if (recent.firstUpdateIdAt(i) <= bound) {
        start = i;
        break;
      }
    }
    // No recent diff reaches back to the snapshot: it is older than everything kept, so the book is newer.
    if (start < 0) return;
    const fresh = this.newSync(st.symbol, st.rules);
    fresh.onSnapshot(snapshot);
    let lastApplied: BookDiff | null = null;
    for (let i = start; i < recent.length; i++) {
      const d = recent.at(i) as BookDiff;
      const a = fresh.onDiff(d);
      if (a.type === 'applied' || (a.type === 'synced' && a.applied > 0)) lastApplied = d;
      if (a.type === 'gap' || a.type === 'snapshot-too-old' || a.type === 'buffer-overflow') return;
    }
    if (fresh.state !== 'synced' || (fresh.updateId as number) < oldId) return;
    st.sync = fresh;
    st.snapshotDepthLimit = snapshot.depthLimit;
    this.stats.rebuilds++;
    const newId = fresh.updateId as number;
    if (newId > oldId) {
      this.stats.jumps++;
      st.exchangeTimeMs = lastApplied?.exchangeTimeMs ?? snapshot.exchangeTimeMs;
      st.receiveTimeMs = snapshot.localTimeMs;
      this.status(
        st,
        'resync',
        `symbol=${st.symbol}: snapshot lastUpdateId=${L} is ahead of the book at ${oldId}; ` +
          'the book moved forward to it',
        snapshot.localTimeMs,
      );
      if (wasStale) this.options.onStreamBehind?.(st.symbol);
    }
  }

  /** A crossed or locked snapshot: counted, reported, and asked for again; the book is left as it was. */
  private refuse(st: SymbolState, snapshot: BookSnapshot, crossing: string): void {
    this.stats.refusedSnapshots++;
    const detail = `symbol=${st.symbol}: snapshot lastUpdateId=${snapshot.lastUpdateId ?? '?'} is ${crossing}; refused, fetching another`;
    const nowMs = snapshot.localTimeMs;
    if (st.sync.state === 'synced') {
      // The book in hand stays good; the refresh or staleness check is retried.
      this.request(st, st.stale ? 'stale' : 'refresh', nowMs);
      return;
    }
    st.reason = detail;
    this.status(st, 'resync', detail, nowMs);
    this.request(st, 'sync', nowMs);
  }

  private restart(st: SymbolState, reason: string): void {
    if (st.wasSynced) this.stats.synced--;
    st.wasSynced = false;
    st.sync.restart();
    st.reason = reason;
    st.recent.clear();
    st.lastUnsyncedDiff = null;
    st.lastUnsyncedSnapshot = null;
    st.requested = false;
    st.stale = false;
  }

  private remember(st: SymbolState, diff: BookDiff): void {
    const recent = st.recent;
    recent.push(diff);
    // While a snapshot is on its way, the diffs after its lastUpdateId will be needed, even when it is late.
    const now = diff.localTimeMs;
    const oldest = st.requested
      ? Math.max(st.requestedAtMs - this.recentDiffsMs, now - MAX_PENDING_RETENTION_MS)
      : now - this.recentDiffsMs;
    while (recent.length > 1 && (recent.length > MAX_RECENT_DIFFS || recent.oldestLocalTimeMs() < oldest)) {
      recent.shift();
    }
  }

  private request(st: SymbolState, reason: SnapshotReason, nowMs: number): void {
    if (reason === 'refresh' || reason === 'stale') {
      if (st.requested) return;
      st.requested = true;
      st.requestedAtMs = nowMs;
    }
    this.stats.snapshotRequests++;
    this.options.onSnapshotNeeded?.({ symbol: st.symbol, reason, localTimeMs: nowMs });
  }

  private status(st: SymbolState, status: StreamStatus['status'], detail: string, nowMs: number): void {
    this.options.onStatus?.({
      type: 'status',
      exchange: st.venue.exchange,
      market: st.venue.market,
      symbol: st.symbol,
      status,
      detail,
      localTimeMs: nowMs,
    });
  }
}
