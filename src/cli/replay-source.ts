/**
 * Picks the reader for a replay input by looking at its content, not just its name, and says how its
 * events become samples: snapshot sources (polls, tardis `book_snapshot_N`) through the snapshot sampler,
 * diff sources (websocket recordings, tardis `incremental_book_L2`) through the diff sampler.
 */
import { statSync } from 'node:fs';
import { readRecordingRuns, type RecordingRun } from '../io/replay.js';
import { readTardisCsv } from '../io/tardis-csv.js';
import type { InputStats } from '../io/line-accounting.js';
import { openInputStream, readFailure } from '../io/input-stream.js';
import type { MarketEvent, Venue } from '../events.js';
import { ConfigError, ParseError } from '../errors.js';

/** One run of a replay input: a recording made by one live run (a `--resume` appends another), or a tardis CSV. */
export interface ReplayRun {
  /** The run's own sampling interval (its header's `config.interval`), when it has one. */
  readonly nominalIntervalSec: number | null;
  /** `snapshots`: each snapshot is a sample; `diffs`: local books are kept from diffs and sampled. */
  readonly sampler: 'snapshots' | 'diffs';
  /** The `config` of the run's header (the live run's options), or null. */
  readonly recordedConfig: Readonly<Record<string, unknown>> | null;
  /** The venue of the run's header, or null when it has none. */
  readonly venue: Venue | null;
  /** When the run started (its header's `created_ms`), or null. */
  readonly createdMs: number | null;
  readonly events: AsyncIterable<MarketEvent>;
}

export interface ReplaySource {
  readonly format: 'obi-recording' | 'tardis-book-snapshot' | 'tardis-incremental';
  /** The first run, known once the source is open (its settings decide the columns). */
  readonly first: ReplayRun;
  /**
   * Every run in order, the first included. Read each run's events before asking for the next run (what is
   * left unread is skipped); iterate once.
   */
  readonly runs: AsyncIterable<ReplayRun>;
  /** Symbols seen so far, in order of first appearance. */
  symbols(): string[];
  stats(): InputStats;
}

/** Returns the first event of `source` (or null) and an iterable of all its events, that first one included. */
async function peek<T>(source: AsyncIterable<T>): Promise<{ first: T | null; all: AsyncIterable<T> }> {
  const it = source[Symbol.asyncIterator]();
  const head = await it.next();
  const all = (async function* (): AsyncGenerator<T> {
    try {
      if (head.done === true) return;
      yield head.value;
      for (;;) {
        const next = await it.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await it.return?.();
    }
  })();
  return { first: head.done === true ? null : head.value, all };
}

async function firstLine(path: string): Promise<string> {
  const input = await openInputStream(path);
  let text = '';
  try {
    try {
      for await (const chunk of input.stream) {
        text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        const nl = text.indexOf('\n');
        if (nl >= 0) return text.slice(0, nl);
        if (text.length > 1 << 20) break;
      }
    } catch (error) {
      // Corrupt gzip (or an I/O error) before the first line: the reader would fail the same way.
      const nl = text.indexOf('\n');
      if (nl >= 0) return text.slice(0, nl);
      throw readFailure(path, 0, error);
    }
    return text;
  } finally {
    input.stream.destroy();
  }
}

function trackSymbols(source: AsyncIterable<MarketEvent>, seen: string[]): AsyncIterable<MarketEvent> {
  return (async function* () {
    for await (const e of source) {
      if (!seen.includes(e.symbol)) seen.push(e.symbol);
      yield e;
    }
  })();
}

/** Returns the replay run of one recording run, its first event read to tell how it is sampled. */
async function replayRun(run: RecordingRun, seen: string[]): Promise<ReplayRun> {
  const { first, all } = await peek(run.events);
  const header = run.header;
  const config = header?.config ?? null;
  const interval = config?.['interval'];
  const mode = config?.['mode'];
  const diffs = mode === 'ws' || (mode !== 'poll' && first !== null && first.type === 'diff');
  return {
    nominalIntervalSec: typeof interval === 'number' ? interval : null,
    sampler: diffs ? 'diffs' : 'snapshots',
    recordedConfig: config,
    venue: header === null ? null : { exchange: header.exchange, market: header.market },
    createdMs: header === null || !Number.isFinite(header.created_ms) ? null : header.created_ms,
    events: trackSymbols(all, seen),
  };
}

/** Returns `first` then the rest of `runs`, each described by replayRun. */
async function* runsFrom(
  first: ReplayRun,
  rest: AsyncIterator<RecordingRun>,
  seen: string[],
): AsyncGenerator<ReplayRun> {
  try {
    yield first;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield await replayRun(next.value, seen);
    }
  } finally {
    await rest.return?.();
  }
}

/** Returns the source for `path`. Throws ConfigError when the path is missing, ParseError when it is of no known format. */
export async function openReplaySource(path: string): Promise<ReplaySource> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ConfigError(`cannot read ${path}: no such file or directory`, 'file');
  }
  const head = isDir ? '{' : (await firstLine(path)).trim();
  if (head.startsWith('{')) {
    const reader = readRecordingRuns(path);
    const seen: string[] = [];
    const runs = reader[Symbol.asyncIterator]();
    // The first run's header and first event say what kind of recording this is.
    const opening = await runs.next();
    const first = await replayRun(
      opening.done === true ? { header: null, events: (async function* () {})() } : opening.value,
      seen,
    );
    return {
      format: 'obi-recording',
      first,
      runs: runsFrom(first, runs, seen),
      symbols: () => seen,
      stats: () => reader.stats,
    };
  }
  if (head.startsWith('exchange,symbol,timestamp,local_timestamp,')) {
    const reader = readTardisCsv(path);
    const seen: string[] = [];
    const incremental = head.includes(',is_snapshot,');
    const only: ReplayRun = {
      nominalIntervalSec: null,
      sampler: incremental ? 'diffs' : 'snapshots',
      recordedConfig: null,
      venue: null,
      createdMs: null,
      events: trackSymbols(reader, seen),
    };
    return {
      format: incremental ? 'tardis-incremental' : 'tardis-book-snapshot',
      first: only,
      runs: (async function* () {
        yield only;
      })(),
      symbols: () => seen,
      stats: () => reader.stats,
    };
  }
  // The file exists and was read: it is the data that is wrong, not the command (exit code 6, not 2).
  throw new ParseError(
    `${path} is neither an obi recording (NDJSON with an {"obi_recording":1,...} header) ` +
      'nor a tardis.dev book_snapshot / incremental_book_L2 CSV; give one of those',
    path,
    1,
  );
}
