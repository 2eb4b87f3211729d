/**
 * `obi replay` reproduces a recorded run without the user retyping its flags: the built `obi` against the
 * built-in simulator with non-default feature flags, then `obi replay` of the recording without them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { parseCsvLine } from '../../src/io/csv-line.js';
import { ensureBuilt, obi as runObi } from '../reliability/cli-process.js';

/** Runs the built `obi` to the end (a minute at most). */
const obi = (args: readonly string[], cwd: string) => runObi(args, cwd, { timeoutMs: 60_000 });

let sim: RunningSimulator;
beforeAll(async () => {
  ensureBuilt();
  sim = await startSimulator({ seed: 7, tickMs: 20 });
});
afterAll(async () => {
  await sim.close();
});

function collect(...flags: string[]): string[] {
  return ['collect', '--base-url', sim.url, '--ws-url', sim.wsUrl, '--timeout', '2', '--quiet', ...flags];
}

/** Flags far from every default, the columns among them (obi_l1, obi_l3, ofi_l1..ofi_l2, ret_fwd_1s/2s). */
const LIVE_FLAGS = [
  '--levels',
  '5',
  '--obi-levels',
  '1,3',
  '--ema',
  '7',
  '--ofi-levels',
  '2',
  '--decay-alpha',
  '0.25',
  '--horizons',
  '1s,2s',
  '--predict-horizon',
  '1s',
  '--lead-lag',
  '4',
  '--gate-input',
  'obi',
  '--gate-window',
  '40',
  '--gate-persist',
  '2',
  '--extreme-quantile',
  '0.8',
];

function column(csv: string, name: string): string[] {
  const lines = csv.trimEnd().split('\n');
  const at = (parseCsvLine(lines[0]!) ?? []).indexOf(name);
  expect(at, name).toBeGreaterThanOrEqual(0);
  return lines.slice(1).map((line) => parseCsvLine(line)?.[at] ?? '<unparsed>');
}

describe('obi replay takes the recorded settings', () => {
  it.concurrent(
    'replays a run with non-default flags byte for byte without them; a typed flag wins',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'obi-replay-settings-'));
      const live = await obi(
        collect(
          '--symbol',
          'BTCUSDT,ETHUSDT',
          '--interval',
          '0.2',
          '--minutes',
          '0.05',
          ...LIVE_FLAGS,
          '--record',
          'rec.ndjson.gz',
          '--csv',
          'live.csv',
          '--json',
          'live.json',
        ),
        dir,
      );
      expect(live.code, live.stderr).toBe(0);
      const csv = readFileSync(join(dir, 'live.csv'), 'utf8');
      expect(csv.trimEnd().split('\n').length).toBeGreaterThan(20);
      expect(csv.split('\n')[0]).toContain('obi_l3');
      const header = JSON.parse(
        gunzipSync(readFileSync(join(dir, 'rec.ndjson.gz')))
          .toString()
          .split('\n')[0]!,
      ) as { config: { feature_flags: Record<string, unknown> } };
      expect(header.config.feature_flags).toMatchObject({
        levels: 5,
        'obi-levels': [1, 3],
        ema: 7,
        horizons: [1000, 2000],
        'predict-horizon': 1000,
        'gate-window': 40,
      });

      const replay = await obi(['replay', 'rec.ndjson.gz', '--csv', 'r.csv', '--json', 'r.json'], dir);
      expect(replay.code, replay.stderr).toBe(0);
      expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(csv);
      const said = replay.stdout.split('\n').filter((l) => l.includes("the recording's settings"));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain('--interval 0.2');
      expect(said[0]).toContain('--levels 5');
      expect(said[0]).toContain('--obi-levels 1,3');
      expect(said[0]).toContain('--horizons 1s,2s');
      expect(said[0]).not.toContain('overridden');
      // The metrics agree too, but for duration_min: the live run's --minutes, the replay's rows' span.
      const metrics = (path: string): Record<string, Record<string, unknown>> => {
        const doc = JSON.parse(readFileSync(join(dir, path), 'utf8')) as {
          metrics_by_symbol: Record<string, Record<string, unknown>>;
        };
        for (const m of Object.values(doc.metrics_by_symbol)) delete m['duration_min'];
        return doc.metrics_by_symbol;
      };
      expect(metrics('r.json')).toEqual(metrics('live.json'));

      // --ema on the command line wins; every other setting is still the recording's.
      const ema = await obi(
        ['replay', 'rec.ndjson.gz', '--ema', '30', '--csv', 'ema.csv', '--json', 'ema.json'],
        dir,
      );
      expect(ema.code, ema.stderr).toBe(0);
      expect(ema.stdout).toContain('overridden on the command line: --ema');
      expect(ema.stdout).not.toContain('--ema 7');
      const overridden = readFileSync(join(dir, 'ema.csv'), 'utf8');
      expect(overridden.split('\n')[0]).toBe(csv.split('\n')[0]);
      expect(column(overridden, 'obi')).toEqual(column(csv, 'obi'));
      expect(column(overridden, 'bid_vol_L')).toEqual(column(csv, 'bid_vol_L'));
      expect(column(overridden, 'obi_ema')).not.toEqual(column(csv, 'obi_ema'));
      const doc = JSON.parse(readFileSync(join(dir, 'ema.json'), 'utf8')) as {
        config: Record<string, unknown>;
      };
      expect(doc.config).toMatchObject({ ema: 30, levels: 5, interval: 0.2, obi_levels: [1, 3] });
      expect(doc.config['gate_window']).toBe(40);

      // A recorded setting that no longer resolves with a typed flag is named as the recording's.
      const clash = await obi(['replay', 'rec.ndjson.gz', '--horizons', '5s', '--csv', 'c.csv'], dir);
      expect(clash.code).toBe(2);
      expect(clash.stderr).toContain('--predict-horizon');
      expect(clash.stderr).toContain("the recording's setting");
    },
  );

  it.concurrent(
    'a --resume’d recording replays run by run, each with its own grid and flags, byte for byte',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'obi-replay-resume-'));
      const common = [
        '--symbol',
        'BTCUSDT',
        '--obi-levels',
        '1,2',
        '--horizons',
        '1s',
        '--record',
        'rec.ndjson.gz',
        '--csv',
        'live.csv',
        '--json',
        'live.json',
        '--resume',
      ];
      // The runs differ in grid, sampling-independent settings and book depth (same columns).
      const first = await obi(
        collect(...common, '--interval', '0.2', '--ema', '5', '--minutes', '0.04'),
        dir,
      );
      expect(first.code, first.stderr).toBe(0);
      const second = await obi(
        collect(...common, '--interval', '0.3', '--ema', '9', '--levels', '3', '--minutes', '0.04'),
        dir,
      );
      expect(second.code, second.stderr).toBe(0);
      const csv = readFileSync(join(dir, 'live.csv'), 'utf8');
      const times = column(csv, 'time_ms').map(Number);
      expect(times.length).toBeGreaterThan(15);

      const replay = await obi(['replay', 'rec.ndjson.gz', '--csv', 'r.csv', '--json', 'r.json'], dir);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toContain('run 2 of the recording (resumed');
      expect(replay.stdout).toMatch(/its settings: --interval 0\.3 .*--levels 3 --ema 9/);
      expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(csv);
    },
  );
});
