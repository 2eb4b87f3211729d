/**
 * The CLI as a user runs it: the built `obi` binary in a temporary directory, against the built-in simulator.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI as cli, ensureBuilt, obi as runObi, ROOT as root } from '../reliability/cli-process.js';

/** Runs the built `obi` to the end (a minute at most). */
const obi = (args: readonly string[], cwd: string) => runObi(args, cwd, { timeoutMs: 60_000 });

beforeAll(() => ensureBuilt());

describe('obi CLI end to end', () => {
  it('demo writes the deliverables; replay of its recording reproduces the CSV byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-e2e-'));
    const demo = await obi(['demo', '--minutes', '0.1', '--interval', '0.2', '--out', 'out'], dir);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('Saved CSV');
    const csv = readFileSync(join(dir, 'out/level43_orderbook_imbalance.csv'), 'utf8');
    const lines = csv.trimEnd().split('\n');
    expect(
      lines[0]!.startsWith('timestamp,lastUpdateId,best_bid,best_ask,mid,bid_vol_L,ask_vol_L,obi,obi_pw'),
    ).toBe(true);
    expect(lines.length).toBeGreaterThan(10);
    const metrics = JSON.parse(
      readFileSync(join(dir, 'out/level43_orderbook_imbalance_metrics.json'), 'utf8'),
    ) as {
      config: Record<string, unknown>;
      metrics: Record<string, unknown>;
    };
    expect(metrics.metrics['samples']).toBe(lines.length - 1);
    expect(metrics.config['levels']).toBe(5); // the demo's default (collect keeps the seed's 20)
    const report = readFileSync(join(dir, 'out/report.html'), 'utf8');
    expect(report).toContain('<html');
    expect(report).not.toMatch(/<script[^>]+src=["']https?:/); // self-contained: nothing from the network

    const replay = await obi(
      [
        'replay',
        'out/recording.ndjson.gz',
        '--interval',
        '0.2',
        '--levels',
        '5',
        '--csv',
        'replayed.csv',
        '--json',
        'replayed.json',
      ],
      dir,
    );
    expect(replay.code).toBe(0);
    expect(readFileSync(join(dir, 'replayed.csv'), 'utf8')).toBe(csv);
  });

  it('poll mode: a recording replays to the same CSV byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-e2e-'));
    const demo = await obi(
      [
        'demo',
        '--mode',
        'poll',
        '--minutes',
        '0.05',
        '--interval',
        '0.2',
        '--out',
        'out',
        '--no-report',
        '--quiet',
      ],
      dir,
    );
    expect(demo.code, demo.stderr).toBe(0);
    const csv = readFileSync(join(dir, 'out/level43_orderbook_imbalance.csv'), 'utf8');
    expect(csv.trimEnd().split('\n').length).toBeGreaterThan(5);
    const replay = await obi(
      ['replay', 'out/recording.ndjson.gz', '--levels', '5', '--csv', 'r.csv', '--json', 'r.json', '--quiet'],
      dir,
    );
    expect(replay.code, replay.stderr).toBe(0);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(csv);
  });

  it('SIGINT mid-run finishes the tick, writes valid files and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-e2e-'));
    const child = spawn(
      process.execPath,
      [cli, 'demo', '--minutes', '5', '--interval', '0.1', '--horizons', '1s', '--out', 'out'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    const csvPath = join(dir, 'out/level43_orderbook_imbalance.csv');
    // Wait until rows are on disk, then interrupt.
    for (
      let i = 0;
      i < 300 && !(existsSync(csvPath) && readFileSync(csvPath, 'utf8').split('\n').length > 5);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(stdout).toContain('interrupted');
    const lines = readFileSync(csvPath, 'utf8').split('\n');
    expect(lines.at(-1)).toBe(''); // ends with a complete line
    const width = lines[0]!.split(',').length;
    for (const line of lines.slice(1, -1)) expect(line.split(',').length).toBe(width);
    const metrics = JSON.parse(
      readFileSync(join(dir, 'out/level43_orderbook_imbalance_metrics.json'), 'utf8'),
    ) as {
      metrics: { samples: number };
    };
    expect(metrics.metrics.samples).toBe(lines.length - 2);
  });

  it('refuses bad flags with exit code 2 and a message naming the flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-e2e-'));
    for (const args of [
      ['collect', '--levels', '0'],
      ['collect', '--interval', '-1'],
      ['collect', '--no-such-flag'],
      ['replay', 'x.ndjson', '--levels', 'abc'],
      ['replay', 'x.ndjson', '--csv', ''],
    ]) {
      const r = await obi(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/levels|interval|no-such-flag|--csv/);
    }
  });

  it('replay of a missing file or a file that is not a recording fails clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-e2e-'));
    const missing = await obi(['replay', 'nope.ndjson'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.ndjson');
    writeFileSync(join(dir, 'garbage.txt'), 'hello\nworld\n');
    const garbage = await obi(['replay', 'garbage.txt'], dir);
    expect(garbage.code).not.toBe(0);
    expect(garbage.stderr).toContain('garbage.txt');
  });

  it('does not overwrite existing outputs without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obi-e2e-'));
    const fixture = join(root, 'test/fixtures/seed/snapshots.ndjson');
    expect((await obi(['replay', fixture], dir)).code).toBe(0);
    const again = await obi(['replay', fixture], dir);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('--force');
    expect((await obi(['replay', fixture, '--force'], dir)).code).toBe(0);
  });
});
