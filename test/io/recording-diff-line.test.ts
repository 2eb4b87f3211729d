import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DepthUpdateScanner } from '../../src/exchanges/binance/depth-update-scanner.js';
import { parseDepthUpdate } from '../../src/exchanges/binance/parse.js';
import { scanRecordedDiffLine } from '../../src/io/recording-diff-line.js';
import { RecordingLineParser } from '../../src/io/replay.js';
import type { RecordingLine } from '../../src/io/replay.js';
import { plainDiff } from '../../src/core/book/parsed-diff.js';
import type { Venue } from '../../src/events.js';

const SPOT: Venue = { exchange: 'binance', market: 'spot' };
const PAYLOAD =
  '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":5,"u":7,"b":[["61737.63000000","0.00000000"]],"a":[["61837.64000000","1.54698000"]]}}';

/** What the general reader makes of a `ws` line: JSON.parse, unwrap, parseDepthUpdate at the line's `t`. */
function general(line: string): unknown {
  const v = JSON.parse(line) as { t: number; d: { data: unknown } };
  return parseDepthUpdate(v.d.data, { ...SPOT, symbol: '?', localTimeMs: v.t });
}

describe('scanRecordedDiffLine', () => {
  it('reads receive times as JSON.parse does, sub-millisecond digits and all', () => {
    const scanner = new DepthUpdateScanner();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 4e12, noNaN: true }),
          fc.integer({ min: 0, max: 4e12 }),
          fc.constant(1723161253937.0857),
        ),
        (t) => {
          const line = `{"t":${JSON.stringify(t)},"k":"ws","d":${PAYLOAD}}`;
          const diff = scanRecordedDiffLine(line, scanner, SPOT);
          // Exponent forms (1e-7) are left to the general path.
          if (diff === null) {
            expect(JSON.stringify(t)).toMatch(/e/);
            return;
          }
          expect(plainDiff(diff)).toEqual(general(line));
          expect(diff.localTimeMs).toBe(t);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves other lines and other shapes to the general reader', () => {
    const scanner = new DepthUpdateScanner();
    for (const line of [
      `{"t":-1,"k":"ws","d":${PAYLOAD}}`,
      `{"t":01,"k":"ws","d":${PAYLOAD}}`,
      `{"t":1,"k":"trade","d":${PAYLOAD}}`,
      `{"t":1,"k":"ws","s":"BTCUSDT","d":${PAYLOAD}}`,
      `{"t":1,"k":"ws","d":${PAYLOAD}} `,
      `{"t":1,"k":"ws","d":${PAYLOAD}`,
      `{"t":1.,"k":"ws","d":${PAYLOAD}}`,
      '{"obi_recording":1}',
    ]) {
      expect(scanRecordedDiffLine(line, scanner, SPOT), line).toBeNull();
    }
  });

  it('gives the reader the same event either way', () => {
    const parser = new RecordingLineParser();
    const line = `{"t":1723161253937.0857,"k":"ws","d":${PAYLOAD}}`;
    const fast = parser.parse(line, SPOT, 'x.ndjson', 1);
    // The same line with a space inside the payload misses the fast path.
    const slow = parser.parse(line.replace('"U":5', '"U": 5'), SPOT, 'x.ndjson', 1);
    const plain = (l: RecordingLine): RecordingLine =>
      l.kind === 'event' && l.event.type === 'diff' ? { ...l, event: plainDiff(l.event) } : l;
    expect(plain(fast)).toEqual({ kind: 'event', event: general(line) });
    expect(plain(slow)).toEqual(plain(fast));
  });
});
