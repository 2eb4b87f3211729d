import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, OutputError } from '../../../src/errors.js';
import { CsvSink } from '../../../src/io/sinks/csv-sink.js';
import type { Row, RowValue } from '../../../src/io/sinks/row-sink.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '../../..');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An independent RFC 4180 parser (whole text, quoted fields may hold newlines) to check the sink against. */
function parseCsv(text: string, options: { dropTornTail?: boolean } = {}): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
    i += 1;
  }
  if (options.dropTornTail === true) return records;
  if (quoted) throw new Error('unterminated quote');
  if (field.length > 0 || record.length > 0) throw new Error('last record has no newline');
  return records;
}

async function writeRows(path: string, columns: string[], rows: readonly Row[]): Promise<string> {
  const sink = await CsvSink.open(path, columns);
  for (const row of rows) await sink.write(row);
  await sink.close();
  return readFile(path, 'utf8');
}

describe('CsvSink cells', () => {
  it('writes numbers shortest round-trip, no-values empty, booleans as words, strings quoted only when needed', async () => {
    const text = await writeRows(
      join(dir, 'cells.csv'),
      ['ts', 'obi', 'note', 'flag', 'gone'],
      [
        { ts: 1723161255021.1565, obi: 0.1 + 0.2, note: 'plain', flag: 1, gone: null },
        { ts: 2, obi: Number.NaN, note: 'a,b', flag: true, gone: Number.POSITIVE_INFINITY },
        { ts: 3, obi: -0, note: 'say "hi"', flag: false, gone: Number.NEGATIVE_INFINITY },
        { ts: 4, obi: 1e21, note: 'two\nlines', flag: 0 },
        { ts: 5, obi: 1e-7, note: '', flag: 0, gone: 7, extra: 'ignored' },
      ],
    );
    expect(text).toBe(
      'ts,obi,note,flag,gone\n' +
        '1723161255021.1565,0.30000000000000004,plain,1,\n' +
        '2,,"a,b",true,\n' +
        '3,0,"say ""hi""",false,\n' +
        '4,1e+21,"two\nlines",0,\n' +
        '5,1e-7,,0,7\n',
    );
  });

  it('quotes column names that need it and rejects bad column lists', async () => {
    expect(await writeRows(join(dir, 'header.csv'), ['a,b', 'c'], [])).toBe('"a,b",c\n');
    await expect(CsvSink.open(join(dir, 'none.csv'), [])).rejects.toThrow(ConfigError);
    await expect(CsvSink.open(join(dir, 'dup.csv'), ['a', 'a'])).rejects.toThrow(/"a" is listed twice/);
  });

  it('any row round-trips through the file and an RFC 4180 parse (property)', async () => {
    const value: fc.Arbitrary<RowValue> = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('a,b', '"', '\n', '\r\n', ' x ', '""'),
    );
    const expected = (v: RowValue): string =>
      typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v === null ? '' : String(v);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(value, value, value), { maxLength: 20 }), async (tuples) => {
        const rows = tuples.map(([a, b, c]) => ({ a, b, c }));
        const text = await writeRows(join(dir, `prop-${run++}.csv`), ['a', 'b', 'c'], rows);
        const records = parseCsv(text);
        expect(records).toEqual([
          ['a', 'b', 'c'],
          ...rows.map((r) => [expected(r.a), expected(r.b), expected(r.c)]),
        ]);
        for (const [i, row] of rows.entries()) {
          for (const [j, v] of [row.a, row.b, row.c].entries()) {
            // == 0 also accepts -0, written as "0" (String(-0) is "0").
            if (typeof v === 'number' && Number.isFinite(v))
              expect(Number(records[i + 1]?.[j]) === v).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('CsvSink output errors', () => {
  it('refuses to clobber an existing file unless forced', async () => {
    const path = join(dir, 'exists.csv');
    await writeFile(path, 'keep me\n');
    const refused = CsvSink.open(path, ['a']);
    await expect(refused).rejects.toThrow(OutputError);
    await expect(refused).rejects.toThrow(`${path} already exists; refusing to overwrite it (use --force)`);
    expect(await readFile(path, 'utf8')).toBe('keep me\n');
    const sink = await CsvSink.open(path, ['a'], { force: true });
    await sink.write({ a: 1 });
    await sink.close();
    expect(await readFile(path, 'utf8')).toBe('a\n1\n');
  });

  it('a missing directory is an OutputError carrying the path', async () => {
    const path = join(dir, 'missing', 'out.csv');
    await expect(CsvSink.open(path, ['a'])).rejects.toMatchObject({ name: 'OutputError', path });
    await expect(CsvSink.open(path, ['a'])).rejects.toThrow(/ENOENT/);
  });

  it('a path no file system allows (a NUL in it) is an OutputError, not a TypeError', async () => {
    await expect(CsvSink.open(join(dir, 'a\u0000b.csv'), ['a'])).rejects.toMatchObject({
      name: 'OutputError',
    });
  });

  it.skipIf(process.getuid?.() === 0)('an unwritable directory is an OutputError (EACCES)', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o500);
    await expect(CsvSink.open(join(locked, 'out.csv'), ['a'])).rejects.toThrow(/permission denied/);
    await chmod(locked, 0o700);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a full disk (ENOSPC) rejects a later write or close with the path',
    async () => {
      const path = join(dir, 'full.csv');
      await symlink('/dev/full', path);
      const sink = await CsvSink.open(path, ['a'], { force: true });
      const attempt = (async () => {
        for (let i = 0; i < 10_000; i++) await sink.write({ a: i });
        await sink.close();
      })();
      await expect(attempt).rejects.toMatchObject({ name: 'OutputError', path });
      await expect(sink.write({ a: 1 })).rejects.toThrow(/no space left on device/);
    },
  );
});

describe('CsvSink streaming', () => {
  it('waits for the output to drain when its buffer is full (backpressure)', async () => {
    const released: (() => void)[] = [];
    let written = '';
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.toString();
        released.push(() => callback());
      },
    });
    const header = CsvSink.fromWritable(slow, ['value'], '<slow>');
    released.shift()?.();
    const sink = await header;
    let done = false;
    const pending = sink.write({ value: 'a row longer than eight bytes' }).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    while (released.length > 0) released.shift()?.();
    await pending;
    expect(done).toBe(true);
    expect(written).toBe('value\na row longer than eight bytes\n');
  });

  it('leaves only complete lines when the stream is destroyed mid-run', async () => {
    const path = join(dir, 'destroyed.csv');
    const stream = createWriteStream(path);
    const sink = await CsvSink.fromWritable(stream, ['i', 'text'], path);
    const row = (i: number): Row => ({ i, text: i % 2 === 0 ? 'x,"y"' : 'plain' });
    for (let i = 0; i < 2000; i++) await sink.write(row(i));
    await sink.flush();
    const writes: Promise<void>[] = [];
    for (let i = 2000; i < 40_000; i++) writes.push(sink.write(row(i)));
    // Let some of those writes reach the file, then pull the plug.
    await new Promise<void>((r) => setImmediate(r));
    stream.destroy();
    await Promise.allSettled(writes);
    if (!stream.closed) await new Promise<void>((r) => stream.once('close', () => r()));
    const records = parseCsv(await readFile(path, 'utf8'));
    expect(records.length).toBeGreaterThan(2000);
    expect(records.length).toBeLessThan(40_001);
    expect(records[0]).toEqual(['i', 'text']);
    for (const [n, record] of records.slice(1).entries())
      expect(record).toEqual([String(n), n % 2 === 0 ? 'x,"y"' : 'plain']);
  });

  it('leaves a valid CSV when the writing process is killed (SIGKILL)', async () => {
    const path = join(dir, 'killed.csv');
    // .mts: the temporary directory has no package.json saying this is an ES module.
    const child = join(dir, 'write-forever.mts');
    const sinkUrl = pathToFileURL(join(REPO, 'src/io/sinks/csv-sink.ts')).href;
    await writeFile(
      child,
      `import { CsvSink } from '${sinkUrl}';\n` +
        `const sink = await CsvSink.open(process.argv[2] as string, ['i', 'text', 'x']);\n` +
        `for (let i = 0; ; i++) await sink.write({ i, text: i % 3 === 0 ? 'a,"b"\\nc' : 'plain', x: i / 7 });\n`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path], { cwd: REPO, stdio: 'ignore' });
    const exited = new Promise((r) => proc.once('exit', r));
    for (let i = 0; i < 500; i++) {
      const size = existsSync(path) ? (await stat(path)).size : 0;
      if (size > 200_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    proc.kill('SIGKILL');
    await exited;
    const text = await readFile(path, 'utf8');
    expect(text.length).toBeGreaterThan(200_000);
    // Linux may cut a write() to a regular file short when SIGKILL arrives mid-copy, so the LAST record can
    // be torn; every complete record before it must be valid.
    const records = parseCsv(text, { dropTornTail: true });
    expect(records[0]).toEqual(['i', 'text', 'x']);
    for (const [n, record] of records.slice(1).entries()) {
      expect(record).toEqual([String(n), n % 3 === 0 ? 'a,"b"\nc' : 'plain', String(n / 7)]);
    }
  });
});

const PANDAS = spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!PANDAS)('CsvSink output read by pandas', () => {
  it('pandas reads empty cells as NaN and the numbers exactly', async () => {
    const path = join(dir, 'pandas.csv');
    await writeRows(
      path,
      ['obi', 'note', 'flag'],
      [
        { obi: 0.1 + 0.2, note: 'a,"b"', flag: 1 },
        { obi: Number.NaN, note: 'x\ny', flag: 0 },
        { obi: null, note: null, flag: 1 },
      ],
    );
    const script =
      'import json,sys,pandas as pd\n' +
      // float_precision='round_trip': pandas' default C float parser can be off by an ulp.
      "df = pd.read_csv(sys.argv[1], float_precision='round_trip')\n" +
      'print(json.dumps({"obi": [None if v != v else repr(v) for v in df["obi"]], "note": [None if v != v else v for v in df["note"]], "flag": [int(v) for v in df["flag"]]}))\n';
    const out = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      obi: ['0.30000000000000004', null, null],
      note: ['a,"b"', 'x\ny', null],
      flag: [1, 0, 1],
    });
  });
});
