/**
 * Picks the reader for a replay input by looking at its content, not just its name, and says how its
 * events become samples: snapshot sources (polls, tardis `book_snapshot_N`) through the snapshot sampler,
 * diff sources (websocket recordings, tardis `incremental_book_L2`) through the diff sampler.
 */
import { statSync } from 'node:fs';
import { readRecording } from '../io/replay.js';
import { readTardisCsv } from '../io/tardis-csv.js';
import type { InputStats } from '../io/line-accounting.js';
import { openInputStream, readFailure } from '../io/input-stream.js';
import type { MarketEvent, Venue } from '../events.js';
import { ConfigError, ParseError } from '../errors.js';

export interface ReplaySource {
  readonly format: 'obi-recording' | 'tardis-book-snapshot' | 'tardis-incremental';
  readonly events: AsyncIterable<MarketEvent>;
  /** Symbols seen so far, in order of first appearance. */
  symbols(): string[];
  stats(): InputStats;
  /** The recording's own sampling interval, when it has one. */
  readonly nominalIntervalSec: number | null;
  /** `snapshots`: each snapshot is a sample; `diffs`: local books are kept from diffs and sampled. */
  readonly sampler: 'snapshots' | 'diffs';
  /** The `config` of the recording's header (the live run's options), or null. */
  readonly recordedConfig: Readonly<Record<string, unknown>> | null;
  /** The venue of the recording's header, or null when it has none. */
  readonly venue: Venue | null;
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

/** Returns the source for `path`. Throws ConfigError when the path is missing, ParseError when it is of no known format. */
export async function openReplaySource(
  path: string,
  _intervalSec: number | undefined,
): Promise<ReplaySource> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ConfigError(`cannot read ${path}: no such file or directory`, 'file');
  }
  const head = isDir ? '{' : (await firstLine(path)).trim();
  if (head.startsWith('{')) {
    const reader = readRecording(path);
    const seen: string[] = [];
    // The first event says what kind of recording this is (and has read the header by then).
    const { first, all } = await peek(reader);
    const header = reader.stats.header;
    const config = header?.config ?? null;
    const interval = config?.['interval'];
    const mode = config?.['mode'];
    const diffs = mode === 'ws' || (mode !== 'poll' && first !== null && first.type === 'diff');
    return {
      format: 'obi-recording',
      events: trackSymbols(all, seen),
      symbols: () => seen,
      stats: () => reader.stats,
      nominalIntervalSec: typeof interval === 'number' ? interval : null,
      sampler: diffs ? 'diffs' : 'snapshots',
      recordedConfig: config,
      venue: header === null ? null : { exchange: header.exchange, market: header.market },
    };
  }
  if (head.startsWith('exchange,symbol,timestamp,local_timestamp,')) {
    const reader = readTardisCsv(path);
    const seen: string[] = [];
    const incremental = head.includes(',is_snapshot,');
    return {
      format: incremental ? 'tardis-incremental' : 'tardis-book-snapshot',
      events: trackSymbols(reader, seen),
      symbols: () => seen,
      stats: () => reader.stats,
      nominalIntervalSec: null,
      sampler: incremental ? 'diffs' : 'snapshots',
      recordedConfig: null,
      venue: null,
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
