/** Feature CSVs read back as rows: cells as the pipeline had them, a torn last line dropped, garbage refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { readFeatureCsv, timestampMs } from '../../src/io/feature-csv.js';
import { SEED_COLUMNS, type FeatureRow } from '../../src/core/row/feature-row.js';

const dir = mkdtempSync(join(tmpdir(), 'obi-feature-csv-'));
let n = 0;
function file(data: string | Uint8Array, ext = '.csv'): string {
  const path = join(dir, `f${n++}${ext}`);
  writeFileSync(path, data);
  return path;
}

const HEADER = [...SEED_COLUMNS, 'symbol', 'status', 'reason', 'time_ms'].join(',');
const row = (time: number, obi: string, status = 'ok', reason = ''): string =>
  `2024-08-08T23:54:15.021156Z,5,1,2,1.5,3,4,${obi},0.1,,,,,,0,BTCUSDT,${status},${reason},${time}`;

async function all(path: string): Promise<{ rows: FeatureRow[]; torn: number; malformed: number }> {
  const csv = await readFeatureCsv(path);
  const rows: FeatureRow[] = [];
  for await (const r of csv.rows) rows.push(r);
  return { rows, torn: csv.stats.tornBytes, malformed: csv.stats.malformed };
}

describe('readFeatureCsv', () => {
  it('turns cells back into numbers, NaN for empty, text for the text columns', async () => {
    const { rows } = await all(
      file(`${HEADER}\n${row(1000, '-0.25')}\n${row(2000, '', 'missing', '"late, 3 s"')}\n`),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]?.obi).toBe(-0.25);
    expect(rows[0]?.lastUpdateId).toBe(5);
    expect(rows[0]?.reason).toBe('');
    expect(Number.isNaN(rows[0]?.obi_ema)).toBe(true);
    expect(Number.isNaN(rows[1]?.obi)).toBe(true);
    expect(rows[1]?.reason).toBe('late, 3 s');
    expect(rows[1]?.time_ms).toBe(2000);
  });

  it('drops a torn last line, also one that happens to have every field', async () => {
    const text = `${HEADER}\n${row(1000, '0.5')}\n${row(2000, '0.123')}`;
    // Cut inside the last number: the field count is right, the value is not.
    const { rows, torn, malformed } = await all(file(text.slice(0, -2)));
    expect(rows.map((r) => r.time_ms)).toEqual([1000]);
    expect(torn).toBe(row(2000, '0.123').length - 2);
    expect(malformed).toBe(0);
    expect((await all(file(gzipSync(text + '\n'), '.csv.gz'))).rows).toHaveLength(2);
  });

  it('skips malformed lines and refuses a file that is mostly garbage', async () => {
    const some = await all(
      file(`${HEADER}\n${row(1000, '0.5')}\n${row(2000, 'abc')}\n${row(3000, '0.1')}\n`),
    );
    expect(some.rows.map((r) => r.time_ms)).toEqual([1000, 3000]);
    expect(some.malformed).toBe(1);
    const garbage = file(`${HEADER}\n${'x,y\n'.repeat(20)}`);
    await expect(all(garbage)).rejects.toThrow(ParseError);
  });

  it('refuses a file without the feature columns or without a header', async () => {
    await expect(readFeatureCsv(file('a,b,c\n1,2,3\n'))).rejects.toThrow(/no column timestamp/);
    await expect(readFeatureCsv(file(''))).rejects.toThrow(ParseError);
  });

  it('reads the original script’s CSV (no symbol, status or time_ms columns)', async () => {
    const seed = resolve(import.meta.dirname, '../fixtures/seed/expected.csv');
    const csv = await readFeatureCsv(seed, { symbol: 'BTCUSDT' });
    const rows: FeatureRow[] = [];
    for await (const r of csv.rows) rows.push(r);
    expect(rows.length).toBe(400);
    expect(rows[0]?.symbol).toBe('BTCUSDT');
    expect(rows[0]?.time_ms).toBeCloseTo(Date.UTC(2024, 7, 8, 23, 54, 15) + 21.156, 6);
  });

  it('parses ISO-8601 times with microseconds', () => {
    expect(timestampMs('2024-08-08T23:54:15.021156Z')).toBeCloseTo(1723161255021.156, 6);
    expect(timestampMs('2024-08-08T23:54:15Z')).toBe(1723161255000);
    expect(timestampMs('yesterday')).toBeNull();
  });
});
