import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEventEnvelope, encodeRowEnvelope } from '../../src/bus/bus-envelope.js';
import { ParseError } from '../../src/errors.js';
import type { BookSnapshot } from '../../src/events.js';
import type { RowValue } from '../../src/io/sinks/row-sink.js';

const head = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', id: 'i2', prev: 'i1' };
const enc = new TextEncoder();

describe('bus envelope', () => {
  it('a row comes back cell for cell, in column order, NaN and ±Infinity included', () => {
    const columns = [
      'timestamp',
      'symbol',
      'obi',
      'mid_ret',
      'up',
      'down',
      'lastUpdateId',
      'crossed',
      'missing',
    ];
    const row = {
      timestamp: '2024-08-08T23:54:15.021156Z',
      symbol: 'BTCUSDT',
      obi: 0.25,
      mid_ret: Number.NaN,
      up: Number.POSITIVE_INFINITY,
      down: Number.NEGATIVE_INFINITY,
      lastUpdateId: null,
      crossed: false,
      extra: 'not a column',
    };
    const back = decodeEnvelope(encodeRowEnvelope(head, row, columns), 'obi.binance.spot.BTCUSDT.rows');
    expect(back).toMatchObject({ kind: 'rows', ...head });
    if (back.kind !== 'rows') throw new Error('kind');
    expect(Object.keys(back.row)).toEqual(columns);
    expect(back.row).toEqual({ ...row, extra: undefined, missing: null });
    expect(Object.is(back.row['mid_ret'], Number.NaN)).toBe(true);
  });

  it('property: any row of cells survives the trip exactly', () => {
    const cell: fc.Arbitrary<RowValue> = fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'),
          cell,
        ),
        (row) => {
          const columns = Object.keys(row);
          const back = decodeEnvelope(encodeRowEnvelope({ ...head, prev: null }, row, columns), 's');
          if (back.kind !== 'rows') throw new Error('kind');
          expect(Object.keys(back.row)).toEqual(columns);
          for (const c of columns)
            expect(
              Object.is(back.row[c], row[c] === undefined ? null : Object.is(row[c], -0) ? 0 : row[c]),
            ).toBe(true);
        },
      ),
    );
  });

  it('an event comes back as it was published', () => {
    const snapshot: BookSnapshot = {
      type: 'snapshot',
      exchange: 'binance',
      market: 'spot',
      symbol: 'BTCUSDT',
      lastUpdateId: 42,
      bids: [['100.10', '1.5']],
      asks: [['100.20', '0.25']],
      depthLimit: 20,
      exchangeTimeMs: null,
      localTimeMs: 1723161255021.25,
    };
    const back = decodeEnvelope(encodeEventEnvelope(head, snapshot), 'obi.binance.spot.BTCUSDT.events');
    expect(back).toEqual({ kind: 'events', ...head, event: snapshot });
  });

  it('refuses what is not an obi envelope, naming the subject', () => {
    const bad = [
      'not json',
      '[]',
      '{"v":2}',
      JSON.stringify({
        v: 1,
        kind: 'rows',
        exchange: 'b',
        market: 's',
        symbol: 'X',
        id: 1,
        prev: null,
        row: {},
      }),
    ];
    for (const text of bad) {
      expect(() => decodeEnvelope(enc.encode(text), 'obi.b.s.X.rows')).toThrow(ParseError);
    }
    expect(() => decodeEnvelope(enc.encode('{"v":2}'), 'obi.b.s.X.rows')).toThrow(
      /subject=obi\.b\.s\.X\.rows/,
    );
  });
});
