/**
 * What the live dashboard knows, in bounded memory, and the messages that carry it to browsers: a full
 * `snapshot` (on connect, after a reconnect, or for a client that fell behind) and small `delta`s (everything
 * new since the previous push, coalesced: many rows and book updates between two pushes become one message
 * holding every new point but only the latest book).
 *
 * Per symbol: a ring of the last `maxPoints` row points (time, mid, obi, obi_ema, gate, spread, p_up), the
 * latest top-L book, and a ring of `heatColumns` book columns for the depth heatmap, taken at most once per
 * `heatIntervalMs` of data time. No clock is read here: times come with the data.
 */
import type { DepthView } from '../core/book/depth-view.js';
import type { Row, RowValue } from '../io/sinks/row-sink.js';

/** Sizes of the state; every one bounds memory. */
export interface DashboardStateOptions {
  /**
   * Book levels kept per side (ladder and heatmap).
   * @default 10
   */
  readonly levels?: number;
  /**
   * Row points kept per symbol (the chart's window).
   * @default 2400
   */
  readonly maxPoints?: number;
  /**
   * Book columns kept per symbol for the heatmap.
   * @default 600
   */
  readonly heatColumns?: number;
  /**
   * Data time between two heatmap columns (later books in between only update the ladder).
   * @default 1000
   */
  readonly heatIntervalMs?: number;
}

/** The point fields sent for each row, in this order. */
export const POINT_FIELDS = ['t', 'mid', 'obi', 'obi_ema', 'gate', 'spread_bps', 'p_up'] as const;
export type PointField = (typeof POINT_FIELDS)[number];

/** Row fields shown as the symbol's latest values. */
export const LAST_FIELDS = [
  'time_ms',
  'status',
  'reason',
  'mid',
  'best_bid',
  'best_ask',
  'spread_bps',
  'obi',
  'obi_ema',
  'obi_z',
  'gate',
  'gate_age',
  'p_up',
  'latency_ms',
] as const;

/** Levels as [price, quantity], best first. */
export type Levels = readonly (readonly [number, number])[];

/** Levels as a caller may hold them: numbers, or the venue's decimal strings. */
export type LevelsInput = readonly (readonly [number | string, number | string])[];

export interface BookMessage {
  readonly t: number;
  readonly bids: Levels;
  readonly asks: Levels;
}

/** Columns of points, aligned; null = no value. */
export type PointColumns = Record<PointField, (number | null)[]>;

export interface HeatMessage {
  readonly t: number[];
  readonly bids: Levels[];
  readonly asks: Levels[];
}

export interface SymbolMessage {
  readonly points?: PointColumns;
  readonly heat?: HeatMessage;
  readonly book?: BookMessage | null;
  readonly last?: Readonly<Record<string, RowValue>> | null;
}

interface MessageBase {
  /** Increases by one per delta; a snapshot carries the seq of the last delta it includes. */
  readonly seq: number;
  readonly levels: number;
  readonly maxPoints: number;
  readonly heatColumns: number;
  /** The run has ended (the sink was closed); no more data will come. */
  readonly ended: boolean;
  readonly symbols: Readonly<Record<string, SymbolMessage>>;
}

export interface SnapshotMessage extends MessageBase {
  readonly type: 'snapshot';
  readonly title: string;
}

export interface DeltaMessage extends MessageBase {
  readonly type: 'delta';
}

const DEFAULT_LEVELS = 10;
const DEFAULT_MAX_POINTS = 2400;
const DEFAULT_HEAT_COLUMNS = 600;
const DEFAULT_HEAT_INTERVAL_MS = 1000;

/** A ring of row points, column-wise. */
class PointRing {
  private readonly columns: Float64Array[];
  private pushed = 0;

  constructor(readonly capacity: number) {
    this.columns = POINT_FIELDS.map(() => new Float64Array(capacity));
  }

  get total(): number {
    return this.pushed;
  }

  push(values: ArrayLike<number>): void {
    const slot = this.pushed % this.capacity;
    for (let f = 0; f < this.columns.length; f++) this.columns[f]![slot] = values[f] ?? Number.NaN;
    this.pushed++;
  }

  /** Returns the last `n` points (at most what is held), oldest first. */
  last(n: number): PointColumns {
    const count = Math.min(n, this.pushed, this.capacity);
    const out = {} as PointColumns;
    POINT_FIELDS.forEach((name, f) => {
      const col = this.columns[f]!;
      const values: (number | null)[] = new Array<number | null>(count);
      for (let i = 0; i < count; i++) {
        const v = col[(this.pushed - count + i) % this.capacity]!;
        values[i] = Number.isFinite(v) ? v : null;
      }
      out[name] = values;
    });
    return out;
  }
}

/** A ring of book columns for the heatmap. */
class HeatRing {
  private readonly times: number[] = [];
  private readonly bids: Levels[] = [];
  private readonly asks: Levels[] = [];
  private pushed = 0;

  constructor(readonly capacity: number) {}

  get total(): number {
    return this.pushed;
  }

  get lastTime(): number {
    return this.pushed === 0 ? Number.NaN : this.times[(this.pushed - 1) % this.capacity]!;
  }

  push(t: number, bids: Levels, asks: Levels): void {
    const slot = this.pushed % this.capacity;
    this.times[slot] = t;
    this.bids[slot] = bids;
    this.asks[slot] = asks;
    this.pushed++;
  }

  last(n: number): HeatMessage {
    const count = Math.min(n, this.pushed, this.capacity);
    const out: HeatMessage = { t: [], bids: [], asks: [] };
    for (let i = 0; i < count; i++) {
      const slot = (this.pushed - count + i) % this.capacity;
      out.t.push(this.times[slot]!);
      out.bids.push(this.bids[slot]!);
      out.asks.push(this.asks[slot]!);
    }
    return out;
  }
}

interface SymbolState {
  readonly points: PointRing;
  readonly heat: HeatRing;
  book: BookMessage | null;
  last: Record<string, RowValue> | null;
  /** Totals already sent in a delta. */
  sentPoints: number;
  sentHeat: number;
  bookDirty: boolean;
  lastDirty: boolean;
}

/** Returns a cell as a number (NaN when none); gate names map to −1/0/+1. */
function pointValue(field: PointField, value: RowValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (field === 'gate') {
      const v = value.trim().toLowerCase();
      if (v.startsWith('bear')) return -1;
      if (v.startsWith('bull')) return 1;
      if (v === 'neutral') return 0;
    }
    return value.trim() === '' ? Number.NaN : Number(value);
  }
  return Number.NaN;
}

export class DashboardState {
  readonly levels: number;
  readonly maxPoints: number;
  readonly heatColumns: number;
  readonly heatIntervalMs: number;
  private readonly symbols = new Map<string, SymbolState>();
  private seq = 0;
  private ended = false;
  private endedDirty = false;
  private readonly values = new Float64Array(POINT_FIELDS.length);

  constructor(
    o: DashboardStateOptions = {},
    readonly title = 'obi live',
  ) {
    this.levels = o.levels ?? DEFAULT_LEVELS;
    this.maxPoints = o.maxPoints ?? DEFAULT_MAX_POINTS;
    this.heatColumns = o.heatColumns ?? DEFAULT_HEAT_COLUMNS;
    this.heatIntervalMs = o.heatIntervalMs ?? DEFAULT_HEAT_INTERVAL_MS;
  }

  /** Symbols seen so far, in order of appearance. */
  get symbolNames(): string[] {
    return [...this.symbols.keys()];
  }

  /** The seq of the last delta taken. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Returns how many points and heat columns a symbol holds (for tests and stats). */
  held(symbol: string): { points: number; heat: number } | null {
    const s = this.symbols.get(symbol);
    if (s === undefined) return null;
    return {
      points: Math.min(s.points.total, s.points.capacity),
      heat: Math.min(s.heat.total, s.heat.capacity),
    };
  }

  /** Adds one feature row (its `symbol` and `time_ms` are required; other fields may be absent). */
  addRow(row: Row): void {
    const symbol = row['symbol'];
    if (typeof symbol !== 'string' || symbol === '') return;
    const s = this.symbol(symbol);
    this.values[0] = pointValue('t', row['time_ms']);
    for (let f = 1; f < POINT_FIELDS.length; f++)
      this.values[f] = pointValue(POINT_FIELDS[f]!, row[POINT_FIELDS[f]!]);
    if (!Number.isFinite(this.values[0])) return;
    s.points.push(this.values);
    const last: Record<string, RowValue> = {};
    for (const field of LAST_FIELDS) {
      const v = row[field];
      last[field] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
    }
    s.last = last;
    s.lastDirty = true;
  }

  /** Sets a symbol's book: top levels per side, best first (extra levels are ignored). */
  setBook(symbol: string, bids: LevelsInput, asks: LevelsInput, timeMs: number): void {
    const s = this.symbol(symbol);
    const book: BookMessage = {
      t: timeMs,
      bids: cleanLevels(bids, this.levels),
      asks: cleanLevels(asks, this.levels),
    };
    s.book = book;
    s.bookDirty = true;
    const lastHeat = s.heat.lastTime;
    // 10% slack: books polled every `heatIntervalMs` arrive with jitter and should all make a column.
    if (Number.isNaN(lastHeat) || timeMs - lastHeat >= this.heatIntervalMs * 0.9) {
      s.heat.push(timeMs, book.bids, book.asks);
    }
  }

  /** Sets a symbol's book from a depth view (the sampler's top-L read). */
  setBookView(symbol: string, view: DepthView, timeMs: number): void {
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    for (let i = 0; i < Math.min(view.bidCount, this.levels); i++)
      bids.push([view.bidPrices[i]!, view.bidQtys[i]!]);
    for (let i = 0; i < Math.min(view.askCount, this.levels); i++)
      asks.push([view.askPrices[i]!, view.askQtys[i]!]);
    this.setBook(symbol, bids, asks, timeMs);
  }

  /** Marks the run as ended (the next delta says so). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.endedDirty = true;
  }

  /**
   * Returns everything new since the previous call as one delta (seq + 1), or null when nothing changed.
   * More points than a ring holds arrived in between: the delta carries the ring's worth, which replaces
   * all a client holds (it keeps `maxPoints` too), so nothing needs resending.
   */
  takeDelta(): DeltaMessage | null {
    const symbols: Record<string, SymbolMessage> = {};
    let changed = this.endedDirty;
    for (const [name, s] of this.symbols) {
      const newPoints = s.points.total - s.sentPoints;
      const newHeat = s.heat.total - s.sentHeat;
      if (newPoints === 0 && newHeat === 0 && !s.bookDirty && !s.lastDirty) continue;
      changed = true;
      symbols[name] = {
        ...(newPoints > 0 ? { points: s.points.last(newPoints) } : {}),
        ...(newHeat > 0 ? { heat: s.heat.last(newHeat) } : {}),
        ...(s.bookDirty ? { book: s.book } : {}),
        ...(s.lastDirty ? { last: s.last } : {}),
      };
      s.sentPoints = s.points.total;
      s.sentHeat = s.heat.total;
      s.bookDirty = false;
      s.lastDirty = false;
    }
    this.endedDirty = false;
    if (!changed) return null;
    this.seq++;
    return {
      type: 'delta',
      seq: this.seq,
      levels: this.levels,
      maxPoints: this.maxPoints,
      heatColumns: this.heatColumns,
      ended: this.ended,
      symbols,
    };
  }

  /** Returns the whole state (what a new or recovering client starts from), at the last delta's seq. */
  snapshot(): SnapshotMessage {
    const symbols: Record<string, SymbolMessage> = {};
    for (const [name, s] of this.symbols) {
      symbols[name] = {
        points: s.points.last(s.points.capacity),
        heat: s.heat.last(s.heat.capacity),
        book: s.book,
        last: s.last,
      };
    }
    return {
      type: 'snapshot',
      seq: this.seq,
      title: this.title,
      levels: this.levels,
      maxPoints: this.maxPoints,
      heatColumns: this.heatColumns,
      ended: this.ended,
      symbols,
    };
  }

  private symbol(name: string): SymbolState {
    let s = this.symbols.get(name);
    if (s === undefined) {
      s = {
        points: new PointRing(this.maxPoints),
        heat: new HeatRing(this.heatColumns),
        book: null,
        last: null,
        sentPoints: 0,
        sentHeat: 0,
        bookDirty: false,
        lastDirty: false,
      };
      this.symbols.set(name, s);
    }
    return s;
  }
}

/** Returns the first `levels` levels with finite numbers, as fresh arrays (never the caller's). */
function cleanLevels(levels: LevelsInput, max: number): [number, number][] {
  const out: [number, number][] = [];
  for (const level of levels) {
    if (out.length >= max) break;
    const price = Number(level[0]);
    const qty = Number(level[1]);
    if (Number.isFinite(price) && Number.isFinite(qty)) out.push([price, qty]);
  }
  return out;
}
