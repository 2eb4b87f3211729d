import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { CsvSink } from '../../src/io/sinks/csv-sink.js';
import { runToFiles } from '../../src/pipeline/run-to-files.js';
import { writeReport, writeReportWithResult } from '../../src/report/write-report.js';
import { ReportSink } from '../../src/report/report-sink.js';
import type { ReportData } from '../../src/report/report-data.js';
import { ConfigError, OutputError, ParseError } from '../../src/errors.js';
import { registerReport } from '../../src/cli/report-command.js';
import { SEED_COLUMNS } from '../../src/core/row/feature-row.js';
import { formatTimestampMicros } from '../../src/core/row/timestamp.js';
import { simulatedRun, type SimulatedRun } from './simulated-run.js';

/** Returns the data embedded in a report page. */
export function embeddedData(html: string): ReportData {
  const m = /<script type="application\/json" id="obi-report-data">(.*?)<\/script>/s.exec(html);
  if (m === null) throw new Error('no embedded report data');
  return JSON.parse(m[1]!) as ReportData;
}

const NOW = () => Date.UTC(2024, 7, 9);

describe('writeReport', () => {
  let dir: string;
  let run: SimulatedRun;
  let doc: Readonly<Record<string, unknown>>;
  const csv = (): string => join(dir, 'run.csv');
  const json = (): string => join(dir, 'run.json');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obi-report-'));
    run = await simulatedRun({
      samples: 1200,
      intervalMs: 250,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      missingEvery: 50,
      horizons: [4],
      gate: true,
    });
    const sink = await CsvSink.open(csv(), run.columns);
    const result = await runToFiles({
      rows: (async function* () {
        yield* run.rows;
      })(),
      sinks: [sink],
      jsonPath: json(),
      config: { symbols: ['BTCUSDT', 'ETHUSDT'], interval: 0.25, levels: 10, ema: 30 },
      facts: { emaSpan: 30, levels: 10, intervalSec: 0.25, durationMin: null },
      symbols: ['BTCUSDT', 'ETHUSDT'],
    });
    doc = result.document;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one self-contained page holding every section’s data', async () => {
    const out = join(dir, 'report.html');
    const result = await writeReportWithResult({
      out,
      csvPath: csv(),
      metricsPath: json(),
      buckets: 300,
      now: NOW,
    });
    expect(result).toMatchObject({ rows: 2400, symbols: ['BTCUSDT', 'ETHUSDT'], skippedLines: 0 });
    const html = readFileSync(out, 'utf8');
    // Offline: nothing is loaded from anywhere; uPlot and the scripts are inline.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?[a-z]*:?\/\//i);
    expect(html).toContain('Content-Security-Policy');
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/uPlot/);
    const data = embeddedData(html);
    expect(data.generatedAt).toBe('2024-08-09T00:00:00.000Z');
    expect(data.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const btc = data.symbols[0]!;
    expect(btc.rows).toBe(1200);
    expect(btc.x.length).toBeLessThanOrEqual(600);
    expect(btc.series.mid).toHaveLength(btc.x.length);
    expect(Object.keys(btc.series)).toEqual(
      expect.arrayContaining(['mid', 'obi', 'obi_ema', 'spread_bps', 'bid_vol_L', 'ask_vol_L', 'latency_ms']),
    );
    expect(btc.horizons).toEqual(expect.arrayContaining(['next sample', '1s']));
    expect(btc.deciles).toHaveLength(10);
    expect(btc.gate?.states.map((s) => s.name)).toEqual(['bearish', 'neutral', 'bullish']);
    expect(btc.gateByBucket).toHaveLength(btc.bucketStart.length);
    expect(btc.quality.statuses['missing']).toBe(24);
    expect(btc.quality.intervalMs).toBe(250);
    expect(btc.leadLag?.series.length).toBeGreaterThan(0);
    expect(btc.metrics?.['samples']).toBe(1200);
    // The report's own lag-1 Pearson is the seed's corr_obi_lead_midret (same pairs).
    const obi = btc.leadLag!.series.find((s) => s.feature === 'obi')!;
    if (btc.leadLag!.source === 'rows') {
      expect(obi.r[obi.lags.indexOf(1)]).toBeCloseTo(btc.metrics!['corr_obi_lead_midret'] as number, 10);
    }
  });

  it('gives the same page data from a live sink as from the CSV read back', async () => {
    const fromCsv = join(dir, 'a.html');
    const fromSink = join(dir, 'b.html');
    await writeReport({ out: fromCsv, csvPath: csv(), metrics: doc, now: NOW });
    const sink = new ReportSink(run.columns, { intervalMs: 250 });
    for (const row of run.rows) await sink.write(row);
    await sink.close();
    await sink.writeHtml(doc, { out: fromSink, now: NOW, csvPath: csv() });
    const a = embeddedData(readFileSync(fromCsv, 'utf8'));
    const b = embeddedData(readFileSync(fromSink, 'utf8'));
    expect(b).toEqual(a);
  });

  it('escapes text that could end the script elements', async () => {
    const out = join(dir, 'evil.html');
    await writeReport({ out, csvPath: csv(), title: '</script><script>alert(1)</script>', now: NOW });
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    expect(embeddedData(html).title).toBe('</script><script>alert(1)</script>');
    expect(embeddedData(html).notes).toContain('No metrics JSON was given: metrics tables are empty.');
  });

  it('reads the original script’s CSV: seed columns only, ISO timestamps with microseconds', async () => {
    const seedCsv = join(dir, 'seed.csv');
    const lines = [SEED_COLUMNS.join(',')];
    const t0 = Date.UTC(2024, 7, 8, 23, 54, 15) + 0.021156;
    for (let i = 0; i < 50; i++) {
      const mid = 100 + Math.sin(i);
      const cells = SEED_COLUMNS.map((c) =>
        c === 'timestamp'
          ? formatTimestampMicros(t0 + i * 1000)
          : c === 'mid'
            ? String(mid)
            : c === 'obi'
              ? String(Math.cos(i) / 2)
              : '',
      );
      lines.push(cells.join(','));
    }
    writeFileSync(seedCsv, lines.join('\n') + '\n');
    const out = join(dir, 'seed.html');
    await writeReport({
      out,
      csvPath: seedCsv,
      metrics: { config: { interval: 1 }, metrics: { samples: 50 } },
    });
    const data = embeddedData(readFileSync(out, 'utf8'));
    expect(data.symbols).toHaveLength(1);
    const s = data.symbols[0]!;
    expect(s.symbol).toBe('UNKNOWN');
    expect(s.rows).toBe(50);
    expect(s.firstMs).toBeCloseTo(t0, 3); // 1e12 ms holds about 0.25 µs of resolution
    expect(s.lastMs).toBeCloseTo(t0 + 49_000, 3);
    expect(s.metrics).toEqual({ samples: 50 });
    expect(s.quality.statuses).toEqual({ ok: 50 });
    expect(s.gate).toBeNull();
    expect(s.notes.join(' ')).toMatch(/no gate column/);
  });

  it('keeps a long run to its buckets (24 h at 10 Hz would fold the same way)', async () => {
    const rows = async function* () {
      for (let i = 0; i < 100_000; i++) {
        yield {
          symbol: 'X',
          time_ms: i * 100,
          status: 'ok',
          mid: 100 + (i % 977) / 100,
          obi: ((i % 200) - 100) / 100,
          mid_ret: 0,
        };
      }
    };
    const out = join(dir, 'long.html');
    const r = await writeReportWithResult({ out, rows: rows(), buckets: 250 });
    expect(r.rows).toBe(100_000);
    const s = embeddedData(readFileSync(out, 'utf8')).symbols[0]!;
    expect(s.x.length).toBeLessThanOrEqual(500);
    expect(s.bucketStart.length).toBeLessThanOrEqual(250);
    expect(Math.max(...s.series.mid!.filter((v): v is number => v !== null))).toBe(109.76);
  });

  it('fails with typed errors on bad inputs', async () => {
    await expect(writeReport({ out: join(dir, 'x.html') })).rejects.toBeInstanceOf(ConfigError);
    await expect(
      writeReport({ out: join(dir, 'x.html'), csvPath: join(dir, 'nope.csv') }),
    ).rejects.toBeInstanceOf(ConfigError);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"config": ');
    await expect(
      writeReport({ out: join(dir, 'x.html'), csvPath: csv(), metricsPath: bad }),
    ).rejects.toBeInstanceOf(ParseError);
  });

  it('`obi report` writes the page and refuses to overwrite it without --force', async () => {
    const out = join(dir, 'cli.html');
    const run = async (...args: string[]): Promise<void> => {
      const program = new Command().exitOverride();
      registerReport(program);
      await program.parseAsync([
        'node',
        'obi',
        'report',
        '--csv',
        csv(),
        '--json',
        json(),
        '--out',
        out,
        '--quiet',
        ...args,
      ]);
    };
    await run();
    expect(existsSync(out)).toBe(true);
    await expect(run()).rejects.toBeInstanceOf(OutputError);
    await run('--force');
  });
});
