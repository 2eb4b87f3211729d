import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputError } from '../../../src/errors.js';
import { NdjsonSink } from '../../../src/io/sinks/ndjson-sink.js';
import type { RowValue } from '../../../src/io/sinks/row-sink.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-ndjson-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NdjsonSink', () => {
  it('writes one object per line in column order, non-finite numbers and missing keys as null', async () => {
    const path = join(dir, 'rows.ndjson');
    const sink = await NdjsonSink.open(path, ['ts', 'obi', 'note', 'flag', 'gone']);
    await sink.write({ flag: 1, note: 'a,"b"\n', obi: 0.1 + 0.2, ts: 5 });
    await sink.write({
      ts: 6,
      obi: Number.NaN,
      note: null,
      flag: true,
      gone: Number.NEGATIVE_INFINITY,
      extra: 1,
    });
    await sink.close();
    expect(sink.rowsWritten).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(
      '{"ts":5,"obi":0.30000000000000004,"note":"a,\\"b\\"\\n","flag":1,"gone":null}\n' +
        '{"ts":6,"obi":null,"note":null,"flag":true,"gone":null}\n',
    );
  });

  it('streams to a writable it does not own and leaves it open on close', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const sink = NdjsonSink.fromWritable(out, ['a'], '<stdout>');
    await sink.write({ a: 1 });
    await sink.close();
    expect(out.writableEnded).toBe(false);
    expect(text).toBe('{"a":1}\n');
  });

  it('every line parses back to the row, with null for what JSON cannot hold (property)', () => {
    const value: fc.Arbitrary<RowValue> = fc.oneof(fc.double(), fc.boolean(), fc.constant(null), fc.string());
    return fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(value, value), { maxLength: 20 }), async (pairs) => {
        const out = new PassThrough();
        let text = '';
        out.on('data', (chunk: Buffer) => (text += chunk.toString()));
        const sink = NdjsonSink.fromWritable(out, ['x', 'y']);
        for (const [x, y] of pairs) await sink.write({ x, y });
        await sink.close();
        const lines = text.split('\n');
        expect(lines.pop()).toBe('');
        const norm = (v: RowValue): RowValue =>
          typeof v === 'number' ? (Number.isFinite(v) ? (v === 0 ? 0 : v) : null) : v;
        expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(
          pairs.map(([x, y]) => ({ x: norm(x), y: norm(y) })),
        );
      }),
      { numRuns: 50 },
    );
  });

  it('refuses to clobber an existing file unless forced', async () => {
    const path = join(dir, 'exists.ndjson');
    await writeFile(path, 'x\n');
    await expect(NdjsonSink.open(path, ['a'])).rejects.toThrow(OutputError);
    await (await NdjsonSink.open(path, ['a'], { force: true })).close();
    expect(await readFile(path, 'utf8')).toBe('');
  });
});
