/**
 * Reading tardis.dev downloadable CSV files (docs.tardis.dev, "Downloadable CSV files") as obi events:
 *
 * - `book_snapshot_N` (`exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,
 *   bids[0].amount,asks[1].price,…`): one BookSnapshot per row, `depthLimit` N, `lastUpdateId` null.
 * - `incremental_book_L2` (`exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount`): a run of
 *   `is_snapshot=true` rows is one BookSnapshot (tardis: a snapshot row following a non-snapshot row means the
 *   book restarts); other rows sharing a `local_timestamp` are one BookDiff (tardis: rows of one exchange
 *   message share the local timestamp). Amount 0 removes a level.
 *
 * Timestamps are microseconds since epoch; events carry milliseconds (fractional). Price and amount strings
 * are kept as written, except that an exponent (`1e-7`) is expanded exactly to a plain decimal.
 *
 * Update ids: tardis rows carry none, so incremental files get synthetic ones, per symbol, strictly
 * increasing from 1. A snapshot takes the next id S as its `lastUpdateId`; the first diff after it gets
 * `U = S`, `u = S + 1`, so that both Binance first-event rules (`U <= lastUpdateId <= u`, and the older
 * `U <= lastUpdateId + 1 <= u`) accept it; every later diff gets `U = u = previous u + 1`. On futures venues
 * `pu` is set to `U - 1`, which chains the same way. These ids say nothing about the venue's own ids.
 */
import type { BookDiff, BookSnapshot, PriceLevel, Venue } from '../events.js';
import { ParseError } from '../errors.js';
import { parseCsvLine } from './csv-line.js';
import { toDecimalString } from './decimal-string.js';
import { openInputStream, readFailure } from './input-stream.js';
import { createInputStats, FileLineAccounting } from './line-accounting.js';
import type { InputStats } from './line-accounting.js';
import { readLines } from './line-reader.js';

/** The two tardis CSV data types this reader understands. */
export type TardisCsvKind = 'book_snapshot' | 'incremental_book_L2';

/** Options of `readTardisCsv`. */
export interface TardisCsvOptions {
  /** Use this venue for every event instead of the one derived from the `exchange` column. */
  readonly venue?: Venue;
}

/** Counts of a tardis CSV read, plus what the header said. */
export interface TardisReadStats extends InputStats {
  /** The data type found in the header; null before the header is read. */
  kind: TardisCsvKind | null;
  /** `book_snapshot_N`: N; null for incremental files. */
  levels: number | null;
}

/** An async iterable of events whose `stats` fill in as it is iterated. */
export interface TardisCsvReader extends AsyncIterable<BookSnapshot | BookDiff> {
  readonly stats: TardisReadStats;
}

/**
 * Returns obi's venue for a tardis exchange id: `binance` → binance/spot, `binance-futures` → binance/futures;
 * other ids are kept, with market `futures` when the id names a derivatives venue.
 */
export function tardisVenue(exchange: string): Venue {
  if (exchange === 'binance-futures') return { exchange: 'binance', market: 'futures' };
  const derivatives = /futures|delivery|swap|perp|deribit|bitmex/i.test(exchange);
  return { exchange, market: derivatives ? 'futures' : 'spot' };
}

/**
 * Returns a reader of the tardis CSV at `path` (plain or gzip by magic bytes). The header decides the data
 * type; an unknown header is a ParseError. Malformed rows are skipped and counted with line numbers; a file
 * mostly made of them fails with a ParseError (same rules as `readRecording`).
 */
export function readTardisCsv(path: string, options: TardisCsvOptions = {}): TardisCsvReader {
  const stats: TardisReadStats = { ...createInputStats(), kind: null, levels: null };
  return { stats, [Symbol.asyncIterator]: () => readFile(path, options, stats) };
}

type TardisEvent = BookSnapshot | BookDiff;

/** Turns rows into events; a row may complete zero or more events. */
interface RowParser {
  /** Returns the events the row completes, or a string saying why the row is malformed. */
  row(fields: readonly string[]): readonly TardisEvent[] | string;
  /** Returns the events still buffered at the end of the file. */
  end(): readonly TardisEvent[];
}

async function* readFile(
  path: string,
  options: TardisCsvOptions,
  stats: TardisReadStats,
): AsyncGenerator<TardisEvent, void, undefined> {
  const { stream } = await openInputStream(path);
  const accounting = new FileLineAccounting(stats, path, 'a tardis.dev CSV');
  const venues = new VenueCache(options.venue);
  let parser: RowParser | null = null;
  let held: TardisEvent[] | null = [];
  let lineNumber = 0;
  try {
    for await (const text of readLines(stream)) {
      lineNumber += 1;
      if (text !== null && text.trim().length === 0) continue;
      const fields = text === null ? null : parseCsvLine(text);
      if (parser === null) {
        parser = headerParser(fields, text, path, venues, stats);
        accounting.good();
        continue;
      }
      const result = fields === null ? 'broken CSV quoting or line too long' : parser.row(fields);
      if (typeof result === 'string') {
        accounting.bad(lineNumber, result);
      } else {
        accounting.good();
        if (held !== null) held.push(...result);
        else {
          for (const event of result) {
            stats.events += 1;
            yield event;
          }
        }
      }
      if (held !== null && accounting.passed) {
        const release = held;
        held = null;
        stats.events += release.length;
        yield* release;
      }
    }
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw readFailure(path, lineNumber, error);
  } finally {
    stream.destroy();
  }
  accounting.end();
  const rest = [...(held ?? []), ...(parser?.end() ?? [])];
  stats.events += rest.length;
  yield* rest;
}

class VenueCache {
  private readonly byExchange = new Map<string, Venue>();
  constructor(private readonly fixed: Venue | undefined) {}
  get(exchange: string): Venue {
    if (this.fixed !== undefined) return this.fixed;
    let venue = this.byExchange.get(exchange);
    if (venue === undefined) {
      venue = tardisVenue(exchange);
      this.byExchange.set(exchange, venue);
    }
    return venue;
  }
}

const BASE_COLUMNS = ['exchange', 'symbol', 'timestamp', 'local_timestamp'] as const;
const INCREMENTAL_COLUMNS = [...BASE_COLUMNS, 'is_snapshot', 'side', 'price', 'amount'] as const;

function headerParser(
  fields: readonly string[] | null,
  text: string | null,
  path: string,
  venues: VenueCache,
  stats: TardisReadStats,
): RowParser {
  const header = fields ?? [];
  const column = (name: string): number => header.indexOf(name);
  const unknown = (): ParseError =>
    new ParseError(
      `${path}: not a tardis.dev book_snapshot_N or incremental_book_L2 CSV (header: ${(text ?? '').slice(0, 120)})`,
      path,
      1,
    );
  if (BASE_COLUMNS.some((name) => column(name) === -1)) throw unknown();
  if (INCREMENTAL_COLUMNS.every((name) => column(name) !== -1)) {
    stats.kind = 'incremental_book_L2';
    return new IncrementalParser(header, venues);
  }
  const levels: LevelColumns[] = [];
  for (let i = 0; column(`asks[${i}].price`) !== -1 || column(`bids[${i}].price`) !== -1; i++) {
    const level = {
      askPrice: column(`asks[${i}].price`),
      askAmount: column(`asks[${i}].amount`),
      bidPrice: column(`bids[${i}].price`),
      bidAmount: column(`bids[${i}].amount`),
    };
    if (Object.values(level).some((index) => index === -1)) throw unknown();
    levels.push(level);
  }
  if (levels.length === 0) throw unknown();
  stats.kind = 'book_snapshot';
  stats.levels = levels.length;
  return new SnapshotParser(header, levels, venues);
}

interface LevelColumns {
  readonly askPrice: number;
  readonly askAmount: number;
  readonly bidPrice: number;
  readonly bidAmount: number;
}

/** Returns milliseconds from a microsecond cell, or null when it is not a non-negative integer. */
function micros(cell: string | undefined): number | null {
  if (cell === undefined || !/^\d{1,17}$/.test(cell)) return null;
  return Number(cell) / 1000;
}

class SnapshotParser implements RowParser {
  private readonly exchange: number;
  private readonly symbol: number;
  private readonly timestamp: number;
  private readonly localTimestamp: number;

  constructor(
    private readonly header: readonly string[],
    private readonly levels: readonly LevelColumns[],
    private readonly venues: VenueCache,
  ) {
    this.exchange = header.indexOf('exchange');
    this.symbol = header.indexOf('symbol');
    this.timestamp = header.indexOf('timestamp');
    this.localTimestamp = header.indexOf('local_timestamp');
  }

  row(fields: readonly string[]): readonly TardisEvent[] | string {
    if (fields.length !== this.header.length)
      return `expected ${this.header.length} fields, got ${fields.length}`;
    const exchange = fields[this.exchange] ?? '';
    const symbol = fields[this.symbol] ?? '';
    if (exchange.length === 0 || symbol.length === 0) return 'empty exchange or symbol';
    const exchangeTimeMs = micros(fields[this.timestamp]);
    const localTimeMs = micros(fields[this.localTimestamp]);
    if (exchangeTimeMs === null || localTimeMs === null) return 'timestamp is not an integer of microseconds';
    const bids: PriceLevel[] = [];
    const asks: PriceLevel[] = [];
    for (let i = 0; i < this.levels.length; i++) {
      const columns = this.levels[i] as LevelColumns;
      const ask = level(fields[columns.askPrice], fields[columns.askAmount]);
      const bid = level(fields[columns.bidPrice], fields[columns.bidAmount]);
      if (ask === undefined) return `asks[${i}] is not a price and amount`;
      if (bid === undefined) return `bids[${i}] is not a price and amount`;
      if (ask !== null) asks.push(ask);
      if (bid !== null) bids.push(bid);
    }
    const venue = this.venues.get(exchange);
    const snapshot: BookSnapshot = {
      type: 'snapshot',
      exchange: venue.exchange,
      market: venue.market,
      symbol,
      lastUpdateId: null,
      bids,
      asks,
      depthLimit: this.levels.length,
      exchangeTimeMs,
      localTimeMs,
    };
    return [snapshot];
  }

  end(): readonly TardisEvent[] {
    return [];
  }
}

/** Returns the level, null when both cells are empty (level absent), undefined when malformed. */
function level(price: string | undefined, amount: string | undefined): PriceLevel | null | undefined {
  if ((price ?? '') === '' && (amount ?? '') === '') return null;
  const p = toDecimalString(price ?? '');
  const q = toDecimalString(amount ?? '');
  if (p === null || q === null) return undefined;
  return [p, q];
}

interface Group {
  readonly snapshot: boolean;
  readonly exchange: string;
  readonly symbol: string;
  readonly localCell: string;
  exchangeTimeMs: number;
  localTimeMs: number;
  readonly bids: PriceLevel[];
  readonly asks: PriceLevel[];
}

class IncrementalParser implements RowParser {
  private readonly col: Readonly<Record<(typeof INCREMENTAL_COLUMNS)[number], number>>;
  private group: Group | null = null;
  /** Per symbol: the last synthetic id used, and whether the next diff is the first after a snapshot. */
  private readonly ids = new Map<string, { last: number; afterSnapshot: boolean }>();

  constructor(
    private readonly header: readonly string[],
    private readonly venues: VenueCache,
  ) {
    const col = {} as Record<(typeof INCREMENTAL_COLUMNS)[number], number>;
    for (const name of INCREMENTAL_COLUMNS) col[name] = header.indexOf(name);
    this.col = col;
  }

  row(fields: readonly string[]): readonly TardisEvent[] | string {
    if (fields.length !== this.header.length)
      return `expected ${this.header.length} fields, got ${fields.length}`;
    const exchange = fields[this.col.exchange] ?? '';
    const symbol = fields[this.col.symbol] ?? '';
    if (exchange.length === 0 || symbol.length === 0) return 'empty exchange or symbol';
    const localCell = fields[this.col.local_timestamp] ?? '';
    const exchangeTimeMs = micros(fields[this.col.timestamp]);
    const localTimeMs = micros(localCell);
    if (exchangeTimeMs === null || localTimeMs === null) return 'timestamp is not an integer of microseconds';
    const isSnapshot = fields[this.col.is_snapshot];
    if (isSnapshot !== 'true' && isSnapshot !== 'false') return 'is_snapshot is not true or false';
    const side = fields[this.col.side];
    if (side !== 'bid' && side !== 'ask') return 'side is not bid or ask';
    const price = toDecimalString(fields[this.col.price] ?? '');
    const amount = toDecimalString(fields[this.col.amount] ?? '');
    if (price === null || amount === null) return 'price or amount is not a non-negative decimal';

    const snapshot = isSnapshot === 'true';
    const current = this.group;
    const continues =
      current !== null &&
      current.snapshot === snapshot &&
      current.symbol === symbol &&
      current.exchange === exchange &&
      (snapshot || current.localCell === localCell);
    let done: TardisEvent[] = [];
    let group: Group;
    if (continues) {
      group = current;
      group.exchangeTimeMs = exchangeTimeMs;
      group.localTimeMs = localTimeMs;
    } else {
      done = this.end();
      group = { snapshot, exchange, symbol, localCell, exchangeTimeMs, localTimeMs, bids: [], asks: [] };
      this.group = group;
    }
    (side === 'bid' ? group.bids : group.asks).push([price, amount]);
    return done;
  }

  end(): TardisEvent[] {
    const group = this.group;
    this.group = null;
    if (group === null) return [];
    const venue = this.venues.get(group.exchange);
    let ids = this.ids.get(group.symbol);
    if (ids === undefined) {
      ids = { last: 0, afterSnapshot: false };
      this.ids.set(group.symbol, ids);
    }
    if (group.snapshot) {
      ids.last += 1;
      ids.afterSnapshot = true;
      const snapshot: BookSnapshot = {
        type: 'snapshot',
        exchange: venue.exchange,
        market: venue.market,
        symbol: group.symbol,
        lastUpdateId: ids.last,
        bids: bookSide(group.bids, 'bid'),
        asks: bookSide(group.asks, 'ask'),
        depthLimit: null,
        exchangeTimeMs: group.exchangeTimeMs,
        localTimeMs: group.localTimeMs,
      };
      return [snapshot];
    }
    const firstUpdateId = ids.afterSnapshot ? ids.last : ids.last + 1;
    ids.last += 1;
    ids.afterSnapshot = false;
    const diff: BookDiff = {
      type: 'diff',
      exchange: venue.exchange,
      market: venue.market,
      symbol: group.symbol,
      firstUpdateId,
      finalUpdateId: ids.last,
      prevFinalUpdateId: venue.market === 'futures' ? firstUpdateId - 1 : null,
      bids: group.bids,
      asks: group.asks,
      exchangeTimeMs: group.exchangeTimeMs,
      localTimeMs: group.localTimeMs,
    };
    return [diff];
  }
}

/**
 * Returns a snapshot side best first (bids descending, asks ascending), one level per price (the last row
 * wins), without zero amounts (tardis: amount 0 means the level is gone).
 */
function bookSide(levels: readonly PriceLevel[], side: 'bid' | 'ask'): PriceLevel[] {
  const byPrice = new Map<string, PriceLevel>();
  for (const entry of levels) byPrice.set(entry[0], entry);
  const kept = [...byPrice.values()].filter((entry) => Number(entry[1]) !== 0);
  kept.sort((a, b) => (side === 'bid' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
  return kept;
}
