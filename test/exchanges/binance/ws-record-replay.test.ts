/**
 * `obi collect --record DIR` in websocket mode against the simulator with faults, then `obi replay DIR`:
 * the replay's CSV is the live run's byte for byte. Both run through the CLI's own command functions.
 * Also: tardis.dev `incremental_book_L2` replays through the diff sampler.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCollect } from '../../../src/cli/collect-command.js';
import { registerReplay } from '../../../src/cli/replay-command.js';
import { startSimulator, type RunningSimulator } from '../../../src/exchanges/simulator/server.js';
import { after } from './ws-harness.js';

const root = resolve(import.meta.dirname, '../../..');
let sim: RunningSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function obi(args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerCollect(program);
  registerReplay(program);
  await program.parseAsync(args, { from: 'user' });
}

function csvRows(path: string): string[][] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const cols = (header ?? '').split(',');
  const status = cols.indexOf('status');
  const symbol = cols.indexOf('symbol');
  return lines.map((l) => {
    const cells = l.split(',');
    return [cells[symbol] ?? '', cells[status] ?? ''];
  });
}

describe('websocket record and replay', () => {
  it('replays a live run (trades included) with gaps, duplicates, reorders, a dropped connection and a serverShutdown byte for byte', async () => {
    sim = await startSimulator({ seed: 11, tickMs: 20 });
    const venue = sim;
    venue.faults.gap({ probability: 0.05 });
    venue.faults.duplicate({ probability: 0.05 });
    venue.faults.reorder({ probability: 0.05 });
    const dir = mkdtempSync(join(tmpdir(), 'obi-ws-rec-'));
    const faults = Promise.all([
      after(900).then(() => venue.faults.dropConnections()),
      after(1700).then(() => venue.faults.serverShutdown()),
    ]);
    // prettier-ignore
    await obi([
      'collect', '--base-url', venue.url, '--ws-url', venue.wsUrl, '--symbol', 'BTCUSDT,ETHUSDT',
      '--minutes', '0.045', '--interval', '0.1', '--trades', '--record', join(dir, 'rec'),
      '--csv', join(dir, 'live.csv'), '--json', join(dir, 'live.json'), '--quiet',
    ]);
    await faults;
    const files = readdirSync(join(dir, 'rec'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => /^rec-.*\.ndjson\.gz$/.test(f))).toBe(true);
    const recorded = files
      .map((f) => gunzipSync(readFileSync(join(dir, 'rec', f))).toString('utf8'))
      .join('');
    // The lost connection and the end of the run are in the recording, so the replay knows them too.
    expect(recorded).toContain('"r":"disconnected: ');
    expect(recorded).toContain('"e":"serverShutdown"');
    // prettier-ignore
    await obi(['replay', join(dir, 'rec'), '--trades', '--csv', join(dir, 'replay.csv'), '--json', join(dir, 'replay.json'), '--quiet']);
    const live = readFileSync(join(dir, 'live.csv'), 'utf8');
    expect(readFileSync(join(dir, 'replay.csv'), 'utf8')).toBe(live);
    expect(recorded).toContain('"e":"aggTrade"');
    const rows = csvRows(join(dir, 'live.csv'));
    // Two symbols × 27 ticks of 100 ms; both unsynced and ok rows occur (the drop restarts the books).
    expect(rows.length).toBe(54);
    expect(rows.filter(([, s]) => s === 'ok').length).toBeGreaterThan(25);
    expect(rows.some(([, s]) => s === 'unsynced')).toBe(true);
    const config = (
      JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8')) as { config: Record<string, unknown> }
    ).config;
    expect(config).toMatchObject({ mode: 'ws', sample: 'cadence', snapshot_limit: 500 });
  });

  it('replays an event-sampled run byte for byte', async () => {
    sim = await startSimulator({ seed: 12, tickMs: 20 });
    const dir = mkdtempSync(join(tmpdir(), 'obi-ws-rec-'));
    // prettier-ignore
    await obi([
      'collect', '--base-url', sim.url, '--ws-url', sim.wsUrl, '--symbol', 'SOLUSDT', '--sample', 'event',
      '--minutes', '0.02', '--record', join(dir, 'rec.ndjson.gz'), '--csv', join(dir, 'live.csv'),
      '--json', join(dir, 'live.json'), '--quiet',
    ]);
    // prettier-ignore
    await obi(['replay', join(dir, 'rec.ndjson.gz'), '--csv', join(dir, 'replay.csv'), '--json', join(dir, 'replay.json'), '--quiet']);
    const live = readFileSync(join(dir, 'live.csv'), 'utf8');
    expect(readFileSync(join(dir, 'replay.csv'), 'utf8')).toBe(live);
    expect(csvRows(join(dir, 'live.csv')).length).toBeGreaterThan(5);
  });

  it('replays tardis.dev incremental_book_L2 through local books, a book restart included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-tardis-'));
    const input = join(root, 'test/fixtures/tardis/incremental-with-diffs.csv');
    // prettier-ignore
    await obi(['replay', input, '--sample', 'event', '--levels', '2', '--obi-levels', '1', '--ofi-levels', '1',
      '--csv', join(dir, 'events.csv'), '--json', join(dir, 'events.json'), '--quiet']);
    const [header, ...lines] = readFileSync(join(dir, 'events.csv'), 'utf8').trimEnd().split('\n');
    const cols = (header ?? '').split(',');
    const cell = (line: string, name: string): string => line.split(',')[cols.indexOf(name)] ?? '';
    // One row per diff: after the first (ask 6421.5 gone, bid 6421 added), the second (bid 6420 gone), and
    // the one after the restarting snapshot (only 6419 / 6423 left, then ask 6423 → 6).
    expect(lines.map((l) => [cell(l, 'status'), cell(l, 'best_bid'), cell(l, 'best_ask')])).toEqual([
      ['ok', '6421', '6422'],
      ['ok', '6421', '6422'],
      ['ok', '6419', '6423'],
    ]);
    expect(lines.map((l) => cell(l, 'bid_vol_L'))).toEqual(['3.0000001', '3.0000001', '4']);
    expect(cell(lines[2] as string, 'ask_vol_L')).toBe('6');
  });
});
