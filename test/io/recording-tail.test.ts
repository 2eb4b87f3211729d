/** Cutting the torn end off a single-file recording so that appending to it keeps it readable. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastMemberEnd, repairRecordingTail } from '../../src/io/recording-tail.js';

const dir = mkdtempSync(join(tmpdir(), 'obi-rec-tail-'));
let n = 0;
function file(data: string | Uint8Array, ext = '.ndjson.gz'): string {
  const path = join(dir, `r${n++}${ext}`);
  writeFileSync(path, data);
  return path;
}

const lines = (k: number, from = 0): string =>
  Array.from(
    { length: k },
    (_, i) => JSON.stringify({ t: from + i, k: 'ws', d: { n: Math.sin(from + i) } }) + '\n',
  ).join('');

describe('repairRecordingTail', () => {
  it('returns null for a missing file and leaves a clean file alone', async () => {
    expect(await repairRecordingTail(join(dir, 'none.ndjson'))).toBeNull();
    const members = [gzipSync(lines(5)), gzipSync(lines(7, 5))];
    const path = file(Buffer.concat(members));
    expect(await repairRecordingTail(path)).toEqual({
      gzip: true,
      droppedBytes: 0,
      keptBytes: members[0]!.length + members[1]!.length,
    });
  });

  it('cuts a gzip file cut anywhere back to its last complete member (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        async (sizes, cutAt) => {
          let from = 0;
          const members = sizes.map((k) => {
            const m = gzipSync(lines(k, from));
            from += k;
            return m;
          });
          const whole = Buffer.concat(members);
          const cut = Math.floor(cutAt * whole.length);
          const path = file(whole.subarray(0, cut));
          // The complete members within the cut.
          let kept = 0;
          let keptLines = 0;
          for (let i = 0; i < members.length; i++) {
            if (kept + members[i]!.length > cut) break;
            kept += members[i]!.length;
            keptLines += sizes[i]!;
          }
          const repair = await repairRecordingTail(path);
          // Under two bytes the gzip magic is not there yet: nothing is kept either way.
          expect(repair).toEqual({ gzip: cut >= 2, droppedBytes: cut - kept, keptBytes: kept });
          // Appending a member after the repair reads back as one stream.
          const appended = Buffer.concat([readFileSync(path), gzipSync(lines(2, 10_000))]);
          const text = gunzipSync(appended).toString('utf8');
          expect(text).toBe(lines(keptLines) + lines(2, 10_000));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cuts a plain file after its last newline', async () => {
    const path = file(lines(3) + '{"t":9,"k":"w', '.ndjson');
    const repair = await repairRecordingTail(path);
    expect(repair?.gzip).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(lines(3));
  });

  it('finds no member in garbage that merely starts like gzip', () => {
    const bytes = new Uint8Array(4000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    bytes.set([0x1f, 0x8b, 8, 0], 100);
    expect(lastMemberEnd(bytes)).toBeNull();
  });
});
