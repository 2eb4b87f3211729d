/** Picks the reader for a replay input by looking at its content, not just its name. */
import { statSync } from 'node:fs';
import { readRecording } from '../io/replay.js';
import { readTardisCsv } from '../io/tardis-csv.js';
import type { InputStats } from '../io/line-accounting.js';
import { openInputStream } from '../io/input-stream.js';
import type { MarketEvent } from '../events.js';
import { ConfigError } from '../errors.js';

export interface ReplaySource {
  readonly format: 'obi-recording' | 'tardis-book-snapshot' | 'tardis-incremental';
  readonly events: AsyncIterable<MarketEvent>;
  /** Symbols seen so far, in order of first appearance. */
  symbols(): string[];
  stats(): InputStats;
  /** The recording's own sampling interval, when it has one (polls). */
  readonly nominalIntervalSec: number | null;
}

async function firstLine(path: string): Promise<string> {
  const input = await openInputStream(path);
  let text = '';
  try {
    for await (const chunk of input.stream) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) return text.slice(0, nl);
      if (text.length > 1 << 20) break;
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

/** Returns the source for `path`. Throws ConfigError when the path is missing or of no known format. */
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
    const events = trackSymbols(reader, seen);
    const interval = reader.stats.header?.config?.['interval'];
    return {
      format: 'obi-recording',
      events,
      symbols: () => seen,
      stats: () => reader.stats,
      nominalIntervalSec: typeof interval === 'number' ? interval : null,
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
    };
  }
  throw new ConfigError(
    `${path} is neither an obi recording (NDJSON with an {"obi_recording":1,...} header) ` +
      'nor a tardis.dev book_snapshot / incremental_book_L2 CSV',
    'file',
  );
}
