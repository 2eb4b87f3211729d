import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../../src/errors.js';
import { epochMicros, ParquetSink } from '../../../src/io/sinks/parquet-sink.js';
import { columnKind } from '../../../src/core/row/column-schema.js';

function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'obi-parquet-')), name);
}

async function readBack(path: string): Promise<{ rows: Record<string, unknown>[]; rowGroups: number[] }> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const rows = await parquetReadObjects({ file, metadata });
  return { rows, rowGroups: metadata.row_groups.map((g) => Number(g.num_rows)) };
}

const COLUMNS = ['timestamp', 'lastUpdateId', 'mid', 'symbol', 'status', 'gate', 'p_up'];

describe('ParquetSink', () => {
  it('streams rows in row groups and reads back with their types, NaN and null as null', async () => {
    const path = tempPath('rows.parquet');
    const sink = await ParquetSink.open(path, COLUMNS, { kindOf: columnKind, rowGroupRows: 4 });
    for (let i = 0; i < 10; i++) {
      await sink.write({
        timestamp: `2024-08-08T23:54:${String(15 + i).padStart(2, '0')}.021156Z`,
        lastUpdateId: i === 3 ? null : 50093239237 + i,
        mid: i === 5 ? Number.NaN : 61837.625 + i / 8,
        symbol: 'BTCUSDT',
        status: i === 5 ? 'missing' : 'ok',
        gate: i % 3 === 0 ? -1 : 0,
        p_up: i < 2 ? Number.NaN : 0.5 + i / 100,
        ignored: 'not a column',
      });
      // Bounded memory: never more than one row group buffered.
      expect(sink.rows).toBe(Math.floor((i + 1) / 4) * 4);
    }
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.partial`)).toBe(true);
    await sink.close();
    await sink.close();
    expect(existsSync(`${path}.partial`)).toBe(false);

    const { rows, rowGroups } = await readBack(path);
    expect(rowGroups).toEqual([4, 4, 2]);
    expect(rows).toHaveLength(10);
    const r0 = rows[0]!;
    expect(Object.keys(r0)).toEqual(COLUMNS);
    // TIMESTAMP(MICROS, UTC): hyparquet returns a Date (ms precision); the µs are in the stored integer.
    expect(r0['timestamp']).toEqual(new Date('2024-08-08T23:54:15.021Z'));
    expect(r0['lastUpdateId']).toBe(50093239237n);
    expect(r0['mid']).toBe(61837.625);
    expect(r0['symbol']).toBe('BTCUSDT');
    expect(r0['gate']).toBe(-1n);
    expect(r0['p_up']).toBeNull();
    expect(rows[3]!['lastUpdateId']).toBeNull();
    expect(rows[5]!['mid']).toBeNull();
    expect(rows[5]!['status']).toBe('missing');
    expect(rows[9]!['p_up']).toBeCloseTo(0.59, 15);
    expect(rows[9]!['mid']).toBe(61837.625 + 9 / 8);
  });

  it('writes a valid empty file when no row came', async () => {
    const path = tempPath('empty.parquet');
    const sink = await ParquetSink.open(path, ['a', 'b']);
    await sink.close();
    const { rows, rowGroups } = await readBack(path);
    expect(rows).toEqual([]);
    expect(rowGroups).toEqual([]);
  });

  it('flush() ends the current row group early', async () => {
    const path = tempPath('flush.parquet');
    const sink = await ParquetSink.open(path, ['x'], { rowGroupRows: 100 });
    await sink.write({ x: 1 });
    await sink.flush();
    await sink.write({ x: 2 });
    await sink.close();
    const { rows, rowGroups } = await readBack(path);
    expect(rowGroups).toEqual([1, 1]);
    expect(rows).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('refuses to overwrite without force, and a non-integer in an integer column', async () => {
    const path = tempPath('exists.parquet');
    writeFileSync(path, 'x');
    await expect(ParquetSink.open(path, ['a'])).rejects.toThrow(OutputError);
    const sink = await ParquetSink.open(path, ['gate'], { kindOf: columnKind, force: true, rowGroupRows: 1 });
    await expect(sink.write({ gate: 0.5 })).rejects.toThrow(OutputError);
    await expect(sink.close()).rejects.toThrow(OutputError);
    expect(existsSync(`${path}.partial`)).toBe(false);
  });

  it('fails clearly when the directory does not exist', async () => {
    await expect(ParquetSink.open(join(tempPath('x'), 'no', 'such.parquet'), ['a'])).rejects.toThrow(
      /cannot create/,
    );
  });
});

describe('epochMicros', () => {
  it('keeps the microseconds of the ISO text and converts epoch ms', () => {
    expect(epochMicros('2024-08-08T23:54:15.021156Z')).toBe(1723161255021156n);
    expect(epochMicros('2024-08-08T23:54:15Z')).toBe(1723161255000000n);
    expect(epochMicros('2024-08-08T23:54:15.1234567Z')).toBe(1723161255123456n);
    expect(epochMicros(1723161255021.156)).toBe(1723161255021156n);
    expect(epochMicros('not a time')).toBeNull();
    expect(epochMicros(null)).toBeNull();
  });
});
