/**
 * Crash safety with real processes: `obi collect` against the simulator, killed with SIGKILL at random
 * moments (also before its files exist), then continued with `--resume`. After every kill the CSV's complete
 * lines are all valid rows and the recording reads; each resumed run keeps every complete byte of the CSV
 * and appends only later rows; torn writes (simulated as Linux can leave them) are cut off; the final JSON is
 * the metrics of the whole CSV, as `obi analyze` rebuilds them.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { readRecording } from '../../src/io/replay.js';
import { parseCsvLine } from '../../src/io/csv-line.js';
import { ObiProcess, after, ensureBuilt, obi } from './cli-process.js';
// A seeded PRNG, so a failing schedule can be replayed from the seed in the message.
import { prng } from './fault-schedule.js';

let sim: RunningSimulator;
const running: ObiProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  sim = await startSimulator({ seed: 11, tickMs: 20 });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await sim.close();
});

interface CsvCheck {
  readonly text: string;
  /** Bytes of the complete lines. */
  readonly complete: string;
  readonly rowsBySymbol: Map<string, number[]>;
}

/** Checks that every complete line of the CSV is a valid row of its header; returns its rows' times. */
function checkCsv(path: string): CsvCheck {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const lines = complete.split('\n').slice(0, -1);
  const rowsBySymbol = new Map<string, number[]>();
  if (lines.length === 0) return { text, complete, rowsBySymbol };
  const header = parseCsvLine(lines[0] as string) as string[];
  expect(header.slice(0, 3)).toEqual(['timestamp', 'lastUpdateId', 'best_bid']);
  const at = (name: string): number => header.indexOf(name);
  for (const [i, line] of lines.slice(1).entries()) {
    const fields = parseCsvLine(line);
    expect(fields?.length, `line ${i + 2}: ${line.slice(0, 80)}`).toBe(header.length);
    const f = fields as string[];
    expect(['ok', 'unsynced', 'missing', 'invalid']).toContain(f[at('status')]);
    const time = Number(f[at('time_ms')]);
    expect(Number.isFinite(time)).toBe(true);
    for (const column of ['obi', 'best_bid', 'mid', 'spread_bps']) {
      const cell = f[at(column)] as string;
      expect(cell === '' || Number.isFinite(Number(cell)), `${column}=${cell}`).toBe(true);
    }
    const symbol = f[at('symbol')] as string;
    const times = rowsBySymbol.get(symbol) ?? [];
    // Strictly later than the previous row of the same symbol: nothing written twice, nothing out of order.
    if (times.length > 0) expect(time).toBeGreaterThan(times.at(-1) as number);
    times.push(time);
    rowsBySymbol.set(symbol, times);
  }
  return { text, complete, rowsBySymbol };
}

/** Reads the recording to its end; returns its events (throws if it cannot be read). */
async function readAll(path: string): Promise<{ events: number; malformed: number }> {
  const reader = readRecording(path);
  let events = 0;
  for await (const _ of reader) events++;
  return { events, malformed: reader.stats.malformed };
}

/** Returns how many runs wrote the recording (its header lines), reading a torn end as far as it goes. */
function recordingRuns(path: string): number {
  if (!existsSync(path)) return 0;
  return gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH })
    .toString('utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"obi_recording"')).length;
}

/** Waits until the run has appended a few rows to the CSV (bounded: the process is watched too). */
async function rowsFlowing(csvPath: string, before: string, p: ObiProcess): Promise<void> {
  for (let i = 0; i < 200 && p.running; i++) {
    const text = existsSync(csvPath) ? readFileSync(csvPath, 'utf8') : '';
    if (text.length > before.length && text.slice(before.length).split('\n').length > 40) return;
    await after(50);
  }
}

describe('kill -9 at random moments, then --resume', () => {
  it('leaves valid files every time and continues them without losing or repeating a row', async () => {
    const seed = Number(process.env['OBI_CRASH_SEED'] ?? Date.now() % 100_000);
    const random = prng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'obi-crash-'));
    const args = [
      'collect',
      '--base-url',
      sim.url,
      '--ws-url',
      sim.wsUrl,
      '--symbol',
      'BTCUSDT,ETHUSDT',
      '--interval',
      '0.1',
      '--horizons',
      'none',
      '--timeout',
      '2',
      '--record',
      'rec.ndjson.gz',
      '--csv',
      'run.csv',
      '--json',
      'run.json',
      '--resume',
      '--quiet',
    ];
    const csvPath = join(dir, 'run.csv');
    const recPath = join(dir, 'rec.ndjson.gz');
    // The first kill lands before the process has opened its files, the second once rows are flowing
    // (so the recording of that one run can be replayed), the others at any moment of a run.
    const kills = [60 + random() * 150, random() * 400, 700 + random() * 1800, 700 + random() * 1800];
    let kept = '';
    let replayChecked = false;
    for (const [i, delay] of kills.entries()) {
      const p = new ObiProcess([...args, '--minutes', '0'], dir);
      running.push(p);
      if (i === 1) await rowsFlowing(csvPath, kept, p);
      await after(delay);
      const end = await p.stop('SIGKILL');
      expect(end.signal, `seed ${seed}, kill ${i}: ${end.stderr}`).toBe('SIGKILL');
      const csv = checkCsv(csvPath);
      // Everything complete before this run is still there, byte for byte.
      expect(csv.complete.startsWith(kept), `seed ${seed}, kill ${i}`).toBe(true);
      kept = csv.complete;
      if (existsSync(recPath)) await readAll(recPath);

      if (
        !replayChecked &&
        (csv.rowsBySymbol.get('BTCUSDT')?.length ?? 0) > 3 &&
        recordingRuns(recPath) === 1
      ) {
        // The recording of a killed run replays to (about) the crash: the same rows, byte for byte, up to
        // the recorder's last flush (once a second).
        replayChecked = true;
        const replay = await obi(
          [
            'replay',
            'rec.ndjson.gz',
            '--interval',
            '0.1',
            '--horizons',
            'none',
            '--csv',
            'replayed.csv',
            '--json',
            'replayed.json',
            '--quiet',
          ],
          dir,
        );
        expect(replay.code, replay.stderr).toBe(0);
        const replayed = readFileSync(join(dir, 'replayed.csv'), 'utf8').split('\n');
        const live = csv.complete.split('\n');
        // The replay's last row per symbol lacks its forward label (its next sample never came); compare
        // the rows before the last two ticks of the shorter file.
        const common = Math.min(replayed.length, live.length) - 1 - 4;
        expect(common, `seed ${seed}: replayed ${replayed.length} live ${live.length}`).toBeGreaterThan(2);
        expect(replayed.slice(0, common)).toEqual(live.slice(0, common));
      }

      if (i === 1) {
        // What a write cut short by SIGKILL leaves: half a CSV line, half a gzip member.
        appendFileSync(csvPath, '2026-01-01T00:00:00.000000Z,123,456.7');
        if (existsSync(recPath)) {
          const member = gzipSync('{"t":1,"k":"ws","d":{"e":"depthUpdate"}}\n'.repeat(50));
          appendFileSync(recPath, member.subarray(0, member.length - 9));
        }
      }
    }

    expect(replayChecked, `seed ${seed}: no killed single-run recording to replay`).toBe(true);
    const last = await obi([...args, '--minutes', '0.04'], dir, { timeoutMs: 30_000 });
    expect(last.code, `seed ${seed}: ${last.stderr}`).toBe(0);
    const csv = checkCsv(csvPath);
    expect(csv.text).toBe(csv.complete);
    expect(csv.complete.startsWith(kept)).toBe(true);
    expect(csv.complete.split('\n').filter((l) => l.startsWith('timestamp,'))).toHaveLength(1);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      expect(csv.rowsBySymbol.get(symbol)?.length ?? 0, symbol).toBeGreaterThan(10);
    }

    // The JSON covers every run's rows, and equals what `obi analyze` rebuilds from the CSV alone.
    const doc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {
      config: Record<string, unknown>;
      metrics_by_symbol: Record<string, { samples: number }>;
    };
    expect(doc.config['resumed']).toBe(true);
    for (const [symbol, times] of csv.rowsBySymbol) {
      expect(doc.metrics_by_symbol[symbol]?.samples).toBe(times.length);
    }
    const analyzed = await obi(['analyze', 'run.csv', '--json', 'analyzed.json', '--quiet'], dir);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    const again = JSON.parse(readFileSync(join(dir, 'analyzed.json'), 'utf8')) as typeof doc;
    expect(again.metrics_by_symbol).toEqual(doc.metrics_by_symbol);

    // The recording reads whole, the torn member cut off before the next run appended.
    const rec = await readAll(recPath);
    expect(rec.malformed).toBe(0);
    expect(rec.events).toBeGreaterThan(20);
    expect(recordingRuns(recPath)).toBeGreaterThanOrEqual(2);
  });
});
