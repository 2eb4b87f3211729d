/**
 * Reading obi recordings (docs/recording-format.md) back as MarketEvents, through the same Binance parsers
 * the live clients use, so a replay yields exactly what the live run saw.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MarketEvent, Venue } from '../events.js';
import { ConfigError, ParseError } from '../errors.js';
import { parseDepthUpdate, parseRestDepth, parseTrade } from '../exchanges/binance/parse.js';
import type { ParseContext } from '../exchanges/binance/parse.js';
import { describeFsError } from './fs-error.js';
import { openInputStream, readFailure } from './input-stream.js';
import { createInputStats, FileLineAccounting } from './line-accounting.js';
import type { InputStats } from './line-accounting.js';
import { readLines } from './line-reader.js';
import { RECORDING_VERSION } from './recording-format.js';
import { DepthUpdateScanner } from '../exchanges/binance/depth-update-scanner.js';
import { scanRecordedDiffLine } from './recording-diff-line.js';
import type { RecordingHeader } from './recording-format.js';

/** Files a recording directory is read from, in name order (rotated names sort by start time). */
const RECORDING_FILE = /\.(ndjson|jsonl)(\.gz)?$/i;
/** Binance spot serves at most 5000 levels whatever the limit asked (BINANCE.md, REST depth). */
const SPOT_MAX_DEPTH = 5000;
/** The `limit` Binance uses when a request gives none: spot 100, USD-M 500 (BINANCE.md, REST depth). */
const DEFAULT_LIMIT = { spot: 100, futures: 500 } as const;

/** Options of `readRecording`. */
export interface ReadRecordingOptions {
  /** Use this venue for every event instead of the one in the header. @default the header's */
  readonly venue?: Venue;
}

/** Counts of a recording read, plus the last header seen. */
export interface RecordingReadStats extends InputStats {
  /** The most recent header line read, or null when there was none. */
  header: RecordingHeader | null;
}

/** An async iterable of events whose `stats` fill in as it is iterated. */
export interface RecordingReader extends AsyncIterable<MarketEvent> {
  readonly stats: RecordingReadStats;
}

/**
 * Returns a reader of the recording at `path`: a `.ndjson`/`.jsonl` file (plain or gzip, detected by its
 * magic bytes) or a directory of them read in name order. Malformed lines are skipped and counted
 * (`stats.malformed`, the first few in `stats.malformedExamples` with line numbers); a file that is mostly
 * garbage fails with a ParseError before yielding any of its events. A missing path is a ConfigError.
 * Iterating twice reads the file twice; stats accumulate.
 */
export function readRecording(path: string, options: ReadRecordingOptions = {}): RecordingReader {
  const stats: RecordingReadStats = { ...createInputStats(), header: null };
  return {
    stats,
    [Symbol.asyncIterator]: () => readAll(path, options, stats, null),
  };
}

/**
 * One run of a recording: the lines after a header up to the header of another run. A resumed run
 * (`obi collect --resume`) or files joined with `cat` make several runs in one recording; the rotated files
 * of one run repeat its header (same `created_ms` and `config`) and stay one run.
 */
export interface RecordingRun {
  /** The run's header, or null for lines before any header (read as binance/spot). */
  readonly header: RecordingHeader | null;
  /** The run's events. Read them before asking for the next run: what is left unread is skipped. */
  readonly events: AsyncIterable<MarketEvent>;
}

/** An async iterable of a recording's runs whose `stats` fill in as it is iterated. */
export interface RecordingRunReader extends AsyncIterable<RecordingRun> {
  readonly stats: RecordingReadStats;
}

/**
 * Returns a reader of the recording at `path` (as {@link readRecording}) that yields it run by run, so that
 * each run can be replayed with its own settings and tick grid. A recording without headers is one run.
 */
export function readRecordingRuns(path: string, options: ReadRecordingOptions = {}): RecordingRunReader {
  const stats: RecordingReadStats = { ...createInputStats(), header: null };
  return {
    stats,
    [Symbol.asyncIterator]: () =>
      splitRuns(readAll(path, options, stats, (header) => new HeaderMark(header))),
  };
}

/** A header line met in stream order (readRecordingRuns only). */
class HeaderMark {
  constructor(readonly header: RecordingHeader) {}
}

/** Returns true when `next` continues the run of `current`: a rotated file of the same run repeats its header. */
function sameRun(current: RecordingHeader | null, next: RecordingHeader): boolean {
  return (
    current !== null &&
    Object.is(current.created_ms, next.created_ms) &&
    JSON.stringify(current.config ?? null) === JSON.stringify(next.config ?? null)
  );
}

async function* splitRuns(
  items: AsyncGenerator<MarketEvent | HeaderMark, void, undefined>,
): AsyncGenerator<RecordingRun, void, undefined> {
  try {
    let cursor = await items.next();
    while (cursor.done !== true) {
      let header: RecordingHeader | null = null;
      if (cursor.value instanceof HeaderMark) {
        header = cursor.value.header;
        cursor = await items.next();
      }
      const runHeader = header;
      const events = (async function* (): AsyncGenerator<MarketEvent, void, undefined> {
        while (cursor.done !== true) {
          const item = cursor.value;
          if (item instanceof HeaderMark) {
            if (!sameRun(runHeader, item.header)) return;
          } else {
            yield item;
          }
          cursor = await items.next();
        }
      })();
      yield { header: runHeader, events };
      // Skip what the consumer left unread of this run (an item already handed out is the cursor's value).
      await events.return();
      while (
        cursor.done !== true &&
        !(cursor.value instanceof HeaderMark && !sameRun(runHeader, cursor.value.header))
      ) {
        cursor = await items.next();
      }
    }
  } finally {
    await items.return();
  }
}

async function* readAll<M>(
  path: string,
  options: ReadRecordingOptions,
  stats: RecordingReadStats,
  mark: ((header: RecordingHeader) => M) | null,
): AsyncGenerator<MarketEvent | M, void, undefined> {
  for (const file of await recordingFiles(path)) yield* readFile(file, options, stats, mark);
}

async function recordingFiles(path: string): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new ConfigError(`cannot read recording ${path}: ${describeFsError(error)}`, 'input');
  }
  if (!isDirectory) return [path];
  const names = (await readdir(path)).filter((name) => RECORDING_FILE.test(name)).sort();
  if (names.length === 0) {
    throw new ConfigError(`${path} is a directory with no .ndjson/.ndjson.gz recording files`, 'input');
  }
  return names.map((name) => join(path, name));
}

/** What one line of a recording is. */
export type RecordingLine =
  | { readonly kind: 'event'; readonly event: MarketEvent }
  | { readonly kind: 'header'; readonly header: RecordingHeader }
  | { readonly kind: 'skipped-known' }
  | { readonly kind: 'skipped-unknown' }
  | { readonly kind: 'malformed'; readonly reason: string };

const SKIPPED_KNOWN: RecordingLine = { kind: 'skipped-known' };
const SKIPPED_UNKNOWN: RecordingLine = { kind: 'skipped-unknown' };

/**
 * Reads recording lines one at a time. Received diff-depth messages, nearly every line of a websocket
 * recording, take the scanner's fast path (recording-diff-line.ts); every other line, and any diff line
 * not in the plain form, goes through JSON.parse and the Binance parsers, which give the same event.
 */
export class RecordingLineParser {
  private readonly scanner = new DepthUpdateScanner();

  /** Returns what the non-blank line `text` (line `lineNumber` of `file`) is, read as from `venue`. */
  parse(text: string, venue: Venue, file: string, lineNumber: number): RecordingLine {
    const diff = scanRecordedDiffLine(text, this.scanner, venue);
    if (diff !== null) return { kind: 'event', event: diff };
    return classifyLine(text, venue, `${file}:${lineNumber}`);
  }
}

/** Yields the events of one file, and `mark(header)` at each header line when `mark` is given. */
async function* readFile<M>(
  file: string,
  options: ReadRecordingOptions,
  stats: RecordingReadStats,
  mark: ((header: RecordingHeader) => M) | null,
): AsyncGenerator<MarketEvent | M, void, undefined> {
  const { stream } = await openInputStream(file);
  const accounting = new FileLineAccounting(stats, file, 'an obi recording');
  // A recording without a header (or an older tool's output) is read as Binance spot.
  let venue: Venue = options.venue ?? { exchange: 'binance', market: 'spot' };
  // Events are held back until the file passes the garbage check (see FileLineAccounting).
  let held: (MarketEvent | M)[] | null = [];
  let heldEvents = 0;
  let lineNumber = 0;
  const parser = new RecordingLineParser();
  try {
    for await (const text of readLines(stream)) {
      lineNumber += 1;
      if (text !== null && text.trim().length === 0) continue;
      const outcome = text === null ? tooLong() : parser.parse(text, venue, file, lineNumber);
      if (outcome.kind === 'malformed') {
        accounting.bad(lineNumber, outcome.reason);
      } else {
        accounting.good();
        if (outcome.kind === 'header') {
          stats.header = outcome.header;
          if (options.venue === undefined)
            venue = { exchange: outcome.header.exchange, market: outcome.header.market };
          if (mark !== null) {
            if (held !== null) held.push(mark(outcome.header));
            else yield mark(outcome.header);
          }
        } else if (outcome.kind === 'skipped-known') {
          stats.skippedKnown += 1;
        } else if (outcome.kind === 'skipped-unknown') {
          stats.skippedUnknown += 1;
        } else if (held !== null) {
          held.push(outcome.event);
          heldEvents += 1;
        } else {
          stats.events += 1;
          yield outcome.event;
        }
      }
      if (held !== null && accounting.passed) {
        const release = held;
        held = null;
        stats.events += heldEvents;
        yield* release;
      }
    }
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw readFailure(file, lineNumber, error);
  } finally {
    stream.destroy();
  }
  accounting.end();
  if (held !== null) {
    stats.events += heldEvents;
    yield* held;
  }
}

function tooLong(): RecordingLine {
  return { kind: 'malformed', reason: 'line too long' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Returns what one non-blank line is. Never throws except a ParseError for an unreadable header version. */
function classifyLine(text: string, venue: Venue, source: string): RecordingLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (!isRecord(value)) return { kind: 'malformed', reason: 'not a JSON object' };
  if ('obi_recording' in value) return classifyHeader(value, source);
  const t = value['t'];
  const k = value['k'];
  if (!isTime(t)) return { kind: 'malformed', reason: 'no receive time "t"' };
  if (typeof k !== 'string') return { kind: 'malformed', reason: 'no kind "k"' };
  const s = value['s'];
  const symbol = typeof s === 'string' && s.length > 0 ? s : undefined;
  try {
    switch (k) {
      case 'rest_depth':
        return restDepth(value, t, symbol, venue, source);
      case 'ws':
        return wsMessage(value['d'], t, symbol, venue, source);
      case 'trade':
        return trade(value['d'], t, symbol, venue, source);
      case 'rest_missing':
        return restMissing(value, t, symbol, venue);
      default:
        // Readers skip kinds they do not know, so a newer writer's additions do not break older readers.
        return SKIPPED_UNKNOWN;
    }
  } catch (error) {
    if (error instanceof ParseError) return { kind: 'malformed', reason: error.message };
    throw error;
  }
}

function classifyHeader(value: Record<string, unknown>, source: string): RecordingLine {
  const version = value['obi_recording'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { kind: 'malformed', reason: 'header has no valid "obi_recording" version' };
  }
  if (version > RECORDING_VERSION) {
    throw new ParseError(
      `${source}: recording format version ${version} is newer than this obi reads (${RECORDING_VERSION}); upgrade obi`,
      source,
    );
  }
  const exchange = value['exchange'];
  const market = value['market'];
  if (typeof exchange !== 'string' || exchange.length === 0) {
    return { kind: 'malformed', reason: 'header has no "exchange"' };
  }
  if (market !== 'spot' && market !== 'futures') {
    return { kind: 'malformed', reason: 'header "market" is not "spot" or "futures"' };
  }
  const created = value['created_ms'];
  const note = value['note'];
  const config = value['config'];
  const part = value['part'];
  const header: RecordingHeader = {
    obi_recording: version,
    created_ms: typeof created === 'number' ? created : Number.NaN,
    exchange,
    market,
    note: typeof note === 'string' ? note : null,
    ...(isRecord(config) ? { config } : {}),
    ...(typeof part === 'number' ? { part } : {}),
  };
  return { kind: 'header', header };
}

function context(venue: Venue, symbol: string | undefined, t: number, source: string): ParseContext {
  return { exchange: venue.exchange, market: venue.market, symbol: symbol ?? '?', localTimeMs: t, source };
}

function restDepth(
  value: Record<string, unknown>,
  t: number,
  symbol: string | undefined,
  venue: Venue,
  source: string,
): RecordingLine {
  if (symbol === undefined) return { kind: 'malformed', reason: 'rest_depth line has no symbol "s"' };
  const lim = value['lim'];
  const ts = value['ts'];
  let depthLimit: number = DEFAULT_LIMIT[venue.market];
  if (typeof lim === 'number' && Number.isInteger(lim) && lim > 0) depthLimit = lim;
  else if (lim !== undefined && lim !== null)
    return { kind: 'malformed', reason: '"lim" is not a positive integer' };
  if (venue.market === 'spot') depthLimit = Math.min(depthLimit, SPOT_MAX_DEPTH);
  const snapshot = parseRestDepth(value['d'], {
    ...context(venue, symbol, t, source),
    depthLimit,
    ...(isTime(ts) ? { requestTimeMs: ts } : {}),
  });
  return { kind: 'event', event: snapshot };
}

function restMissing(
  value: Record<string, unknown>,
  t: number,
  symbol: string | undefined,
  venue: Venue,
): RecordingLine {
  if (symbol === undefined) return { kind: 'malformed', reason: 'rest_missing line has no symbol "s"' };
  const r = value['r'];
  const ts = value['ts'];
  return {
    kind: 'event',
    event: {
      type: 'missing',
      exchange: venue.exchange,
      market: venue.market,
      symbol,
      reason: typeof r === 'string' ? r : 'unknown',
      localTimeMs: t,
      ...(isTime(ts) ? { requestTimeMs: ts } : {}),
    },
  };
}

/** Returns the payload of a combined-stream envelope `{"stream","data"}`, or the message itself. */
function unwrap(d: unknown): unknown {
  if (isRecord(d) && typeof d['stream'] === 'string' && 'data' in d) return d['data'];
  return d;
}

function wsMessage(
  d: unknown,
  t: number,
  symbol: string | undefined,
  venue: Venue,
  source: string,
): RecordingLine {
  const payload = unwrap(d);
  if (!isRecord(payload)) return { kind: 'malformed', reason: 'ws message is not a JSON object' };
  const e = payload['e'];
  const ctx = context(venue, symbol ?? stringOr(payload['s']), t, source);
  if (e === 'depthUpdate') return { kind: 'event', event: parseDepthUpdate(payload, ctx) };
  if (e === 'trade' || e === 'aggTrade') return { kind: 'event', event: parseTrade(payload, ctx) };
  // Any other Binance event (kline, 24hrTicker, markPriceUpdate, serverShutdown, futures bookTicker …).
  if (typeof e === 'string') return SKIPPED_KNOWN;
  // Replies to SUBSCRIBE / LIST_SUBSCRIPTIONS: {"result":…,"id":…}.
  if ('id' in payload && ('result' in payload || 'error' in payload)) return SKIPPED_KNOWN;
  // Spot bookTicker {"u","s","b","B","a","A"} has no "e".
  if ('u' in payload && 'B' in payload && 'A' in payload) return SKIPPED_KNOWN;
  // Partial book depth5/10/20 {"lastUpdateId","bids","asks"}: not applied to the diff-built book, whose
  // continuity rules it does not follow (BINANCE.md, partial book).
  if ('lastUpdateId' in payload) return SKIPPED_KNOWN;
  return SKIPPED_UNKNOWN;
}

function trade(
  d: unknown,
  t: number,
  symbol: string | undefined,
  venue: Venue,
  source: string,
): RecordingLine {
  const payload = unwrap(d);
  const ctx = context(venue, symbol ?? (isRecord(payload) ? stringOr(payload['s']) : undefined), t, source);
  return { kind: 'event', event: parseTrade(payload, ctx) };
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
