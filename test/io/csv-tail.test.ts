/** The end of a feature CSV: header, torn last line, each symbol's last row (read backwards, chunk by chunk). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutCsvTail, inspectCsvTail } from '../../src/io/csv-tail.js';

const dir = mkdtempSync(join(tmpdir(), 'obi-csv-tail-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, text);
  return path;
}

const HEADER = 'timestamp,obi,symbol,status,reason,time_ms\n';

describe('inspectCsvTail', () => {
  it('returns null for a missing file', async () => {
    expect(await inspectCsvTail(join(dir, 'missing.csv'))).toBeNull();
  });

  it('reads the header and the last row of each symbol of a complete file', async () => {
    const path = file(
      HEADER +
        't,0.1,BTCUSDT,ok,,1000\n' +
        't,0.2,ETHUSDT,ok,,1000\n' +
        't,,BTCUSDT,missing,"timeout, retried",2000\n' +
        't,0.3,ETHUSDT,ok,,2000\n',
    );
    const tail = await inspectCsvTail(path);
    expect(tail?.header).toEqual(['timestamp', 'obi', 'symbol', 'status', 'reason', 'time_ms']);
    expect(tail?.tornBytes).toBe(0);
    expect(tail?.completeBytes).toBe(tail?.size);
    expect([...(tail?.lastTimeMs ?? [])]).toEqual([
      ['ETHUSDT', 2000],
      ['BTCUSDT', 2000],
    ]);
    expect(tail?.invalidLines).toBe(0);
  });

  it('finds a torn last line, and cutting it leaves the complete lines', async () => {
    const complete = HEADER + 't,0.1,BTCUSDT,ok,,1000\n';
    const path = file(complete + 't,0.2,BTC');
    const tail = await inspectCsvTail(path);
    expect(tail?.tornBytes).toBe(9);
    expect(tail?.completeBytes).toBe(Buffer.byteLength(complete));
    expect(tail?.lastTimeMs.get('BTCUSDT')).toBe(1000);
    await cutCsvTail(path, tail!.completeBytes);
    expect(readFileSync(path, 'utf8')).toBe(complete);
  });

  it('reports a file cut inside its header as having none', async () => {
    const tail = await inspectCsvTail(file('timestamp,obi,sym'));
    expect(tail?.header).toBeNull();
    expect(tail?.headerText).toBe('timestamp,obi,sym');
    expect(tail?.completeBytes).toBe(0);
  });

  it('equals a naive reading for files spanning many chunks, torn or not (property)', async () => {
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD'];
    const rowArb = fc.record({
      symbol: fc.constantFrom(...symbols),
      reasonLength: fc.nat({ max: 3000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 0, maxLength: 200 }),
        fc.nat({ max: 40 }),
        fc.option(fc.constantFrom('AAA', 'DDD'), { nil: undefined }),
        async (rows, tornLength, stopAt) => {
          let text = HEADER;
          const last = new Map<string, number>();
          rows.forEach((r, i) => {
            text += `t,0.5,${r.symbol},ok,${'x'.repeat(r.reasonLength)},${i}\n`;
            last.set(r.symbol, i);
          });
          const torn = 't,0.5,AAA,ok,'.repeat(4).slice(0, tornLength);
          const path = file(text + torn);
          const tail = await inspectCsvTail(path, stopAt === undefined ? {} : { symbols: [stopAt] });
          expect(tail?.completeBytes).toBe(Buffer.byteLength(text));
          expect(tail?.tornBytes).toBe(torn.length);
          expect(tail?.invalidLines).toBe(0);
          if (stopAt === undefined) {
            expect(new Map(tail?.lastTimeMs)).toEqual(last);
          } else {
            expect(tail?.lastTimeMs.get(stopAt)).toBe(last.get(stopAt));
            // Read backwards only as far as needed: every symbol found is right.
            for (const [s, t] of tail?.lastTimeMs ?? []) expect(t).toBe(last.get(s));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
