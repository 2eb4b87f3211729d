import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DepthUpdateScanner } from '../../../src/exchanges/binance/depth-update-scanner.js';
import { parseDepthUpdate } from '../../../src/exchanges/binance/parse.js';
import type { BookDiff, Venue } from '../../../src/events.js';
import { plainDiff, type ParsedDiff } from '../../../src/core/book/parsed-diff.js';

const SPOT: Venue = { exchange: 'binance', market: 'spot' };
const T = 1723161600100.5;

/** The general path: JSON.parse, unwrap a combined-stream envelope, parseDepthUpdate. */
function general(text: string): unknown {
  const v = JSON.parse(text) as Record<string, unknown>;
  const payload = typeof v['stream'] === 'string' && 'data' in v ? v['data'] : v;
  return parseDepthUpdate(payload, { ...SPOT, symbol: '?', localTimeMs: T });
}

/** Any plain decimal, leading zeros included (the general path's grammar). */
const decimal = fc.stringMatching(/^\d{1,9}(\.\d{1,9})?$/);
/** Decimals as Binance writes them: no leading zero before another integer digit, at most 8 places. */
const binanceDecimal = fc.stringMatching(/^(0|[1-9]\d{0,6})(\.\d{1,8})?$/);
const level = fc.tuple(binanceDecimal, binanceDecimal);
const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** Payloads in Binance's own key order (spot, or USD-M with T and pu). */
const canonical = fc
  .record({
    E: fc.integer({ min: 0, max: 2 ** 45 }),
    s: fc.stringMatching(/^[A-Z0-9]{1,12}$/),
    U: id,
    span: fc.integer({ min: 0, max: 1000 }),
    b: fc.array(level, { maxLength: 6 }),
    a: fc.array(level, { maxLength: 6 }),
    futures: fc.boolean(),
    envelope: fc.boolean(),
  })
  .filter((r) => r.U + r.span <= Number.MAX_SAFE_INTEGER)
  .map((r) => {
    const u = r.U + r.span;
    const payload = r.futures
      ? {
          e: 'depthUpdate',
          E: r.E,
          T: r.E - 1 < 0 ? 0 : r.E - 1,
          s: r.s,
          U: r.U,
          u,
          pu: Math.max(0, r.U - 1),
          b: r.b,
          a: r.a,
        }
      : { e: 'depthUpdate', E: r.E, s: r.s, U: r.U, u, b: r.b, a: r.a };
    return JSON.stringify(
      r.envelope ? { stream: `${r.s.toLowerCase()}@depth@100ms`, data: payload } : payload,
    );
  });

/** Anything near the shape: odd values, odd key orders, extra keys, whitespace, then random edits. */
const anyValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
  decimal,
  fc.array(
    fc.oneof(
      fc.tuple(decimal, decimal),
      fc.array(fc.oneof(decimal, fc.string(), fc.integer()), { maxLength: 3 }),
    ),
    {
      maxLength: 3,
    },
  ),
);
const nearShape = fc
  .record({
    e: fc.oneof(fc.constant('depthUpdate'), fc.string(), fc.integer()),
    E: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), anyValue),
    s: fc.oneof(fc.string(), fc.constant('BTCUSDT'), fc.integer()),
    U: fc.oneof(id, anyValue),
    u: fc.oneof(id, anyValue),
    pu: fc.option(fc.oneof(id, anyValue), { nil: undefined }),
    b: fc.oneof(fc.array(level, { maxLength: 4 }), anyValue),
    a: fc.oneof(fc.array(level, { maxLength: 4 }), anyValue),
    extra: fc.option(fc.tuple(fc.string({ maxLength: 3 }), anyValue), { nil: undefined }),
    order: fc.array(fc.integer(), { minLength: 10, maxLength: 10 }),
    envelope: fc.constantFrom('none', 'stream-first', 'data-first'),
    indent: fc.constantFrom(undefined, 1),
  })
  .map((r) => {
    const entries: Array<[string, unknown]> = [
      ['e', r.e],
      ['E', r.E],
      ['s', r.s],
      ['U', r.U],
      ['u', r.u],
      ['b', r.b],
      ['a', r.a],
    ];
    if (r.pu !== undefined) entries.push(['pu', r.pu]);
    if (r.extra !== undefined) entries.push(r.extra);
    const keyed = entries.map((e, i) => ({ e, k: r.order[i] ?? 0 }));
    keyed.sort((x, y) => x.k - y.k);
    const payload = Object.fromEntries(keyed.map((x) => x.e));
    const message =
      r.envelope === 'none'
        ? payload
        : r.envelope === 'stream-first'
          ? { stream: 'x@depth', data: payload }
          : { data: payload, stream: 'x@depth' };
    return JSON.stringify(message, null, r.indent);
  });
const edited = fc
  .tuple(
    fc.oneof(canonical, nearShape),
    fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.string({ maxLength: 2 })), { maxLength: 3 }),
  )
  .map(([text, edits]) => {
    let s = text;
    for (const [at, kind, insert] of edits) {
      const p = at % (s.length + 1);
      s =
        kind === 0
          ? s.slice(0, p) + insert + s.slice(p)
          : kind === 1
            ? s.slice(0, p) + s.slice(p + 1)
            : s.slice(0, p) + insert + s.slice(p + 1);
    }
    return s;
  });

describe('DepthUpdateScanner', () => {
  it('reads a spot payload and a USD-M envelope by hand', () => {
    const scanner = new DepthUpdateScanner();
    const spot =
      '{"e":"depthUpdate","E":1723161600100,"s":"BTCUSDT","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100.50"],["0.0027","0"]]}';
    expect(plainDiff(scanner.scan(spot, 0, SPOT, T) as BookDiff)).toEqual({
      type: 'diff',
      exchange: 'binance',
      market: 'spot',
      symbol: 'BTCUSDT',
      firstUpdateId: 157,
      finalUpdateId: 160,
      prevFinalUpdateId: null,
      bids: [['0.0024', '10']],
      asks: [
        ['0.0026', '100.50'],
        ['0.0027', '0'],
      ],
      exchangeTimeMs: 1723161600100,
      localTimeMs: T,
    });
    expect(scanner.end).toBe(spot.length);
    const futures =
      'xx{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":5,"T":4,"s":"BTCUSDT","U":10,"u":12,"pu":9,"b":[],"a":[]}}yy';
    const diff = scanner.scan(futures, 2, { exchange: 'binance', market: 'futures' }, T);
    expect(diff).toMatchObject({
      market: 'futures',
      firstUpdateId: 10,
      finalUpdateId: 12,
      prevFinalUpdateId: 9,
    });
    expect(futures.slice(scanner.end)).toBe('yy');
    // Keys are matched whole: neither a one-character key nor a two-character one stands for "pu" unless
    // it is "pu"; unknown keys are skipped. Keys a naive code would take for "pu" (111 * 256 + 373, U+7075)
    // are not ASCII, and a message with any non-ASCII character goes the general way.
    for (const key of ['pU', 'pux', 'p', 'upu']) {
      const text = `{"e":"depthUpdate","E":1,"s":"A","U":1,"u":2,"${key}":7,"b":[],"a":[]}`;
      const read = scanner.scan(text, 0, SPOT, T);
      expect(read?.prevFinalUpdateId, key).toBeNull();
      expect(plainDiff(read as BookDiff)).toEqual(general(text));
    }
    for (const key of ['o\u0175', '\u7075']) {
      const text = `{"e":"depthUpdate","E":1,"s":"A","U":1,"u":2,"${key}":7,"b":[],"a":[]}`;
      expect(scanner.scan(text, 0, SPOT, T), key).toBeNull();
      expect((general(text) as BookDiff).prevFinalUpdateId, key).toBeNull();
    }
    // A symbol that is not ASCII goes the general way too, and the same text read again gives the same.
    const accented = '{"e":"depthUpdate","E":1,"s":"\u00c9T","U":1,"u":2,"b":[],"a":[]}';
    expect(scanner.scan(accented, 0, SPOT, T)).toBeNull();
    expect(scanner.scan(accented, 0, SPOT, T)).toBeNull();
    expect(scanner.scan(spot, 0, SPOT, T)?.symbol).toBe('BTCUSDT');
  });

  it('values decimals of odd and even digit counts exactly, up to just below 2^52 digits', () => {
    // The digits are read two a step; an odd count ends with one. 4503599627370495 is 2^52 - 1.
    const scanner = new DepthUpdateScanner();
    const prices = ['7', '12', '123.4', '1234.56', '45035996.27370495', '4503599627370495', '0.000000001'];
    const text = `{"e":"depthUpdate","E":1,"s":"A","U":1,"u":2,"b":[${prices.map((p) => `["${p}","1"]`).join(',')}],"a":[]}`;
    const diff = scanner.scan(text, 0, SPOT, T) as ParsedDiff;
    expect(diff).not.toBeNull();
    expect(diff.bids.map(([p]) => p)).toEqual(prices);
    expect(prices.map((_, k) => diff.bidValues[3 * k])).toEqual(prices.map(Number));
  });

  it('gives a symbol read before back as the same string, and never another symbol', () => {
    const scanner = new DepthUpdateScanner();
    const message = (s: string) => `{"e":"depthUpdate","E":1,"s":"${s}","U":1,"u":2,"b":[],"a":[]}`;
    const first = scanner.scan(message('BTCUSDT'), 0, SPOT, T)?.symbol;
    expect(first).toBe('BTCUSDT');
    expect(scanner.scan(message('ETHUSDT'), 0, SPOT, T)?.symbol).toBe('ETHUSDT');
    expect(Object.is(scanner.scan(message('BTCUSDT'), 0, SPOT, T)?.symbol, first)).toBe(true);
    // More symbols than the cache has slots: some share a slot, and each must still read as itself.
    const symbols = Array.from({ length: 6000 }, (_, k) => `S${k.toString(36).toUpperCase()}USDT`);
    for (let round = 0; round < 2; round++) {
      for (const s of symbols) expect(scanner.scan(message(s), 0, SPOT, T)?.symbol).toBe(s);
    }
    // A delivery contract's symbol (13 characters or more: V8 would slice it from the message otherwise).
    expect(scanner.scan(message('ETHUSD_260925'), 0, SPOT, T)?.symbol).toBe('ETHUSD_260925');
  });

  it('leaves everything else to the general path', () => {
    const scanner = new DepthUpdateScanner();
    for (const text of [
      '{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":true}',
      '{"result":null,"id":1}',
      '{ "e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[["1","2","3"]],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":2,"u":1,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[["1e5","2"]],"a":[]}',
      // A leading zero, and more digits than toFixed rebuilds from a double: JSON.parse keeps the strings.
      '{"e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[["01.5","2"]],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[["1.5","45035996.27370496"]],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":1,"U":1,"u":1,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1.5,"s":"A","U":1,"u":1,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A\\u0042","U":1,"u":1,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":01,"u":1,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[]}',
      '{"e":"depthUpdate","E":1,"s":"A","U":9007199254740992,"u":9007199254740993,"b":[],"a":[]}',
      '{"stream":"a","data":{"e":"depthUpdate","E":1,"s":"A","U":1,"u":1,"b":[],"a":[]},"x":1}',
      '',
      '{',
    ]) {
      expect(scanner.scan(text, 0, SPOT, T), text).toBeNull();
    }
  });

  it('never reads past the end of a message into an earlier, longer one', () => {
    // The scanner copies each message into one reused byte buffer: the bytes of the previous message are
    // still there past the end of a shorter one, so every cut of a message read after the whole of it must
    // fail, not complete itself from the leftovers.
    const scanner = new DepthUpdateScanner();
    const whole =
      '{"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":7,' +
      '"b":[["61837.63000000","0.01000000"]],"a":[["61837.64000000","2.50000000"]]}}';
    for (let cut = 0; cut < whole.length; cut++) {
      expect(scanner.scan(whole, 0, SPOT, T)).not.toBeNull();
      expect(scanner.scan(whole.slice(0, cut), 0, SPOT, T), `first ${cut} characters`).toBeNull();
    }
  });

  it('always reads what Binance sends', () => {
    const scanner = new DepthUpdateScanner();
    fc.assert(
      fc.property(canonical, (text) => {
        const diff = scanner.scan(text, 0, SPOT, T);
        expect(diff).not.toBeNull();
        expect(scanner.end).toBe(text.length);
        expect(plainDiff(diff as BookDiff)).toEqual(general(text));
      }),
      { numRuns: 500 },
    );
  });

  it('never disagrees with JSON.parse + parseDepthUpdate, and never throws', () => {
    const scanner = new DepthUpdateScanner();
    let answered = 0;
    fc.assert(
      fc.property(fc.oneof(nearShape, edited), (text) => {
        const diff = scanner.scan(text, 0, SPOT, T);
        if (diff === null) return;
        answered++;
        // What the scanner read is one JSON value, and the general path reads it the same way.
        expect(plainDiff(diff)).toEqual(general(text.slice(0, scanner.end)));
      }),
      { numRuns: 3000 },
    );
    // The property must not hold vacuously.
    expect(answered).toBeGreaterThan(20);
  });
});
