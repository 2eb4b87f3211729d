import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { serializeRecordingLine } from '../../src/io/recording-format.js';

describe('serializeRecordingLine', () => {
  it('writes a ws line given as received text exactly as it writes the parsed message', () => {
    const message = fc.record({
      stream: fc.string(),
      data: fc.record({
        e: fc.constant('depthUpdate'),
        E: fc.nat(),
        b: fc.array(fc.tuple(fc.string(), fc.string())),
      }),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 4e12, noNaN: true }),
        message,
        fc.option(fc.string(), { nil: undefined }),
        (t, d, s) => {
          const raw = JSON.stringify(d);
          const fromText = serializeRecordingLine(
            s === undefined ? { t, k: 'ws', d: null, raw } : { t, k: 'ws', s, d: null, raw },
          );
          const fromValue = serializeRecordingLine(
            s === undefined ? { t, k: 'ws', d } : { t, k: 'ws', s, d },
          );
          expect(fromText).toBe(fromValue);
        },
      ),
      { numRuns: 300 },
    );
  });
});
