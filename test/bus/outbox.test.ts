import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Outbox, type OutboxMessage } from '../../src/bus/outbox.js';
import { OutboxFullError } from '../../src/bus/outbox-full-error.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const m = (n: number, body = `{"n":${n}}`): OutboxMessage => ({
  subject: `obi.x.spot.S${n % 2}.rows`,
  id: `id-${n}`,
  data: enc.encode(body),
});
const ids = (entries: readonly { id: string }[]): string[] => entries.map((e) => e.id);

let root: string;
let k = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'obi-outbox-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const fresh = (): string => join(root, `o${k++}`);

describe('Outbox', () => {
  it('reads back what was appended, in order, with bodies byte for byte', () => {
    const box = Outbox.open(fresh());
    box.append([m(1), m(2, '{"s":"tab\\tand \\"quote\\""}')]);
    box.append([m(3)]);
    const read = box.read(10);
    expect(ids(read)).toEqual(['id-1', 'id-2', 'id-3']);
    expect(dec.decode(read[1]!.data)).toBe('{"s":"tab\\tand \\"quote\\""}');
    expect(read[1]!.subject).toBe('obi.x.spot.S0.rows');
    expect(box.read(10)).toEqual([]);
    box.close();
  });

  it('commit empties the file once everything is acknowledged; rewind re-reads the uncommitted', () => {
    const dir = fresh();
    const box = Outbox.open(dir);
    box.append([m(1), m(2), m(3)]);
    const [a] = box.read(2);
    box.commit(a!.end);
    box.rewind();
    const again = box.read(10);
    expect(ids(again)).toEqual(['id-2', 'id-3']);
    box.commit(again[0]!.end);
    expect(box.isEmpty).toBe(false);
    box.commit(again[1]!.end);
    expect(box.isEmpty).toBe(true);
    expect(readFileSync(join(dir, 'outbox.log')).length).toBe(0);
    box.close();
  });

  it('survives the process: a reopened outbox starts at the committed position and drops a torn last line', () => {
    const dir = fresh();
    const first = Outbox.open(dir);
    first.append([m(1), m(2), m(3)]);
    first.commit(first.read(1)[0]!.end);
    first.close();
    // A crash in the middle of an append leaves a line without its LF.
    appendFileSync(join(dir, 'outbox.log'), 'obi.x.spot.S0.rows\tid-4\t{"n"');
    const second = Outbox.open(dir);
    expect(ids(second.read(10))).toEqual(['id-2', 'id-3']);
    second.append([m(5)]);
    second.rewind();
    expect(ids(second.read(10))).toEqual(['id-2', 'id-3', 'id-5']);
    second.close();
  });

  it('refuses an append past maxBytes, appending nothing of it', () => {
    const box = Outbox.open(fresh(), { maxBytes: 100 });
    box.append([m(1)]);
    const before = box.pendingBytes;
    expect(() => box.append([m(2), m(3), m(4)])).toThrow(OutboxFullError);
    expect(box.pendingBytes).toBe(before);
    expect(ids(box.read(10))).toEqual(['id-1']);
    box.close();
  });

  it('compacts a long committed prefix so a drain that never catches up keeps the file bounded', () => {
    const dir = fresh();
    const box = Outbox.open(dir, { compactBytes: 200 });
    for (let i = 0; i < 20; i++) box.append([m(i)]);
    const read = box.read(15);
    box.commit(read.at(-1)!.end);
    const size = readFileSync(join(dir, 'outbox.log')).length;
    expect(size).toBe(box.pendingBytes);
    expect(ids(box.read(10))).toEqual(['id-15', 'id-16', 'id-17', 'id-18', 'id-19']);
    box.close();
  });

  it('is locked to one live process; a lock left by a dead one is taken over', () => {
    const dir = fresh();
    Outbox.open(dir).close();
    writeFileSync(join(dir, 'outbox.lock'), String(process.ppid));
    expect(() => Outbox.open(dir)).toThrow(ConfigError);
    writeFileSync(join(dir, 'outbox.lock'), '999999999');
    const box = Outbox.open(dir);
    expect(readFileSync(join(dir, 'outbox.lock'), 'utf8')).toBe(String(process.pid));
    box.close();
  });

  it('rejects bodies with a line feed (they would split the line)', () => {
    const box = Outbox.open(fresh());
    expect(() => box.append([m(1, '{"a":\n1}')])).toThrow(ConfigError);
    box.close();
  });
});
