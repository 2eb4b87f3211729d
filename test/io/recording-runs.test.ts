/** readRecordingRuns: a recording read run by run (a `--resume` or `cat` adds a run; rotation does not). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/events.js';
import { readRecording, readRecordingRuns, type RecordingRun } from '../../src/io/replay.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-runs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const header = (created: number, config: object = { interval: 1 }, part?: number): string =>
  JSON.stringify({
    obi_recording: 1,
    created_ms: created,
    exchange: 'binance',
    market: 'spot',
    config,
    ...(part !== undefined ? { part } : {}),
  });
const missing = (t: number): string => `{"t":${t},"k":"rest_missing","s":"BTCUSDT","r":"timeout","ts":${t}}`;

interface Run {
  created: number | null;
  times: number[];
}

async function runsOf(path: string): Promise<Run[]> {
  const out: Run[] = [];
  for await (const run of readRecordingRuns(path)) {
    const times: number[] = [];
    for await (const e of run.events) times.push(e.localTimeMs);
    out.push({ created: run.header?.created_ms ?? null, times });
  }
  return out;
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

describe('readRecordingRuns', () => {
  it('splits a file at each header of another run (a resumed run appends one)', async () => {
    const path = join(dir, 'resumed.ndjson');
    await writeFile(
      path,
      [header(1), missing(10), missing(11), header(2, { interval: 0.5 }), missing(20), ''].join('\n'),
    );
    expect(await runsOf(path)).toEqual([
      { created: 1, times: [10, 11] },
      { created: 2, times: [20] },
    ]);
    const reader = readRecordingRuns(path);
    const runs: RecordingRun[] = [];
    for await (const run of reader) {
      runs.push(run);
      await all(run.events);
    }
    expect(runs.map((r) => r.header?.config)).toEqual([{ interval: 1 }, { interval: 0.5 }]);
    expect(reader.stats).toMatchObject({ events: 3, lines: 5, malformed: 0 });
  });

  it('keeps the rotated files of one run together and starts a run at a resumed run’s files', async () => {
    const rotated = join(dir, 'rotated');
    await mkdir(rotated);
    await writeFile(join(rotated, 'rec-1.ndjson'), [header(5, {}, 0), missing(1), missing(2)].join('\n'));
    await writeFile(join(rotated, 'rec-2.ndjson'), [header(5, {}, 1), missing(3)].join('\n'));
    await writeFile(join(rotated, 'rec-3.ndjson'), [header(9, {}, 0), missing(7)].join('\n'));
    expect(await runsOf(rotated)).toEqual([
      { created: 5, times: [1, 2, 3] },
      { created: 9, times: [7] },
    ]);
  });

  it('a run left unread is skipped; lines before any header are a run without one', async () => {
    const path = join(dir, 'skip.ndjson');
    await writeFile(path, [missing(1), header(1), missing(2), missing(3), header(2), missing(4)].join('\n'));
    const seen: number[] = [];
    const headers: (number | null)[] = [];
    for await (const run of readRecordingRuns(path)) {
      headers.push(run.header?.created_ms ?? null);
      if (run.header?.created_ms === 1) {
        for await (const e of run.events) {
          seen.push(e.localTimeMs);
          break; // stop after the first event of this run
        }
      }
      if (run.header?.created_ms === 2) for await (const e of run.events) seen.push(e.localTimeMs);
    }
    expect(headers).toEqual([null, 1, 2]);
    expect(seen).toEqual([2, 4]);
  });

  it('property: the runs, joined, are readRecording’s events; a run starts at each header of another run', async () => {
    const item = fc.oneof(
      fc.record({ header: fc.integer({ min: 1, max: 3 }) }),
      fc.constant({ header: null }),
    );
    let file = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 30 }), async (items) => {
        let t = 0;
        const lines = items.map((x) => (x.header === null ? missing(++t) : header(x.header)));
        const path = join(dir, `p${file++}.ndjson`);
        await writeFile(path, lines.join('\n') + '\n');
        const expected: Run[] = [];
        let current: number | null | undefined;
        t = 0;
        for (const x of items) {
          if (x.header !== null) {
            if (x.header !== current) expected.push({ created: x.header, times: [] });
            current = x.header;
          } else {
            if (expected.length === 0) expected.push({ created: null, times: [] });
            expected.at(-1)!.times.push(++t);
          }
        }
        const runs = await runsOf(path);
        expect(runs).toEqual(expected);
        const flat: MarketEvent[] = await all(readRecording(path));
        expect(runs.flatMap((r) => r.times)).toEqual(flat.map((e) => e.localTimeMs));
      }),
      { numRuns: 100 },
    );
  });
});
