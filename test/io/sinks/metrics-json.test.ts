import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputError } from '../../../src/errors.js';
import { writeMetricsJson } from '../../../src/io/sinks/metrics-json.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-metrics-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeMetricsJson', () => {
  it('writes NaN and ±Infinity as null anywhere, 2-space indent, trailing newline', async () => {
    const path = join(dir, 'metrics.json');
    await writeMetricsJson(path, {
      samples: 3,
      corr_obi_midret: Number.NaN,
      nested: { list: [1, Number.POSITIVE_INFINITY, -0, { deep: Number.NEGATIVE_INFINITY }], note: 'ok' },
    });
    expect(await readFile(path, 'utf8')).toBe(
      '{\n' +
        '  "samples": 3,\n' +
        '  "corr_obi_midret": null,\n' +
        '  "nested": {\n' +
        '    "list": [\n' +
        '      1,\n' +
        '      null,\n' +
        '      0,\n' +
        '      {\n' +
        '        "deep": null\n' +
        '      }\n' +
        '    ],\n' +
        '    "note": "ok"\n' +
        '  }\n' +
        '}\n',
    );
  });

  it('replaces the file atomically: concurrent readers only ever see a whole old or new file', async () => {
    const path = join(dir, 'atomic.json');
    const big = (n: number): object => ({ n, values: Array.from({ length: 50_000 }, (_, i) => i * n) });
    await writeMetricsJson(path, big(0));
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as { n: number; values: number[] };
        expect(parsed.values).toHaveLength(50_000);
        expect(parsed.values[49_999]).toBe(49_999 * parsed.n);
        reads += 1;
      }
    })();
    for (let n = 1; n <= 8; n++) await writeMetricsJson(path, big(n));
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old file and no temporary file when it cannot serialise or cannot write', async () => {
    const path = join(dir, 'kept.json');
    await writeFile(path, '{"old": true}\n');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(writeMetricsJson(path, cyclic)).rejects.toThrow(OutputError);
    await expect(writeMetricsJson(path, { big: 1n })).rejects.toThrow(/cannot serialise the metrics/);
    expect(await readFile(path, 'utf8')).toBe('{"old": true}\n');
    const missing = join(dir, 'no-dir', 'm.json');
    await expect(writeMetricsJson(missing, {})).rejects.toMatchObject({ name: 'OutputError', path: missing });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('with force: false refuses to replace an existing file', async () => {
    const path = join(dir, 'no-clobber.json');
    await writeMetricsJson(path, { a: 1 }, { force: false });
    await expect(writeMetricsJson(path, { a: 2 }, { force: false })).rejects.toThrow(/already exists/);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 1 });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
