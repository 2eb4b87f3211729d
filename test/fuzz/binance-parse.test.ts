/**
 * Fuzzing the pure parsers of Binance payloads (parse.ts, exchange-info.ts, retry-after.ts): any JSON value,
 * and valid payloads with one field broken, either parse into a well-formed event or throw a ParseError —
 * never another error, never a hang. A successful parse obeys the event vocabulary's invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError, isObiError } from '../../src/errors.js';
import {
  parseApiError,
  parseDepthUpdate,
  parseRestDepth,
  parseTrade,
  type ParseContext,
} from '../../src/exchanges/binance/parse.js';
import { parseExchangeInfo, suggestSymbols } from '../../src/exchanges/binance/exchange-info.js';
import { parseRetryAfter } from '../../src/net/retry-after.js';
import type { PriceLevel } from '../../src/events.js';

const ctx: ParseContext = {
  exchange: 'binance',
  market: 'spot',
  symbol: 'BTCUSDT',
  localTimeMs: 1,
  source: 'fuzz',
};
const RUNS = 400;

/** Runs `parse`; returns its result, or null when it threw a ParseError (anything else fails the test). */
function attempt<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ParseError) return null;
    throw error;
  }
}

const decimal = /^\d+(\.\d+)?$/;
function checkLevels(levels: readonly PriceLevel[]): void {
  for (const [p, q] of levels) {
    expect(p).toMatch(decimal);
    expect(q).toMatch(decimal);
  }
}

/** Strings a hostile or broken venue might send where numbers or decimals belong. */
const nasty = fc.oneof(
  fc.constantFrom('', 'NaN', '1e5', '-1', '0x10', ' 1', '1 ', '١٢٣', '1.', '.5', '9'.repeat(70), '__proto__'),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.bigInt().map(String),
  fc.constantFrom(null, true, [], {}, Number.MAX_SAFE_INTEGER + 2, -0, 2 ** 64),
);
const level = fc.oneof(
  fc.tuple(fc.stringMatching(/^\d{1,6}\.\d{1,8}$/), fc.stringMatching(/^\d{1,4}\.\d{1,8}$/)),
  fc.array(nasty, { maxLength: 3 }),
  nasty,
);

/** A valid payload with fields replaced, removed or added at random. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  return fc
    .record({
      replace: fc.dictionary(fc.constantFrom(...keys), fc.oneof(nasty, fc.array(level, { maxLength: 4 }))),
      remove: fc.subarray(keys),
      extra: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'x', 'pu', 'E', 'T'), nasty),
    })
    .map(({ replace, remove, extra }) => {
      const out: Record<string, unknown> = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
      for (const k of remove) delete out[k];
      Object.assign(out, replace);
      // Keys like "__proto__" arrive as own properties from JSON.parse: build the text, then parse it.
      const entries = [...Object.entries(extra), ...Object.entries(out)].map(
        ([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`,
      );
      return JSON.parse(`{${entries.join(',')}}`) as unknown;
    });
}

const DEPTH = { lastUpdateId: 10, bids: [['100.5', '1.0']], asks: [['100.6', '2.0']] };
const DIFF = { e: 'depthUpdate', E: 5, s: 'BTCUSDT', U: 11, u: 12, b: [['100.5', '0']], a: [['100.7', '3']] };
const TRADE = { e: 'aggTrade', E: 5, s: 'BTCUSDT', a: 7, p: '100.5', q: '0.1', T: 5, m: true };

describe('Binance payload parsers under fuzzing', () => {
  it('REST depth: a snapshot with decimal levels and an id, or a ParseError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutated(DEPTH)), (body) => {
        const s = attempt(() => parseRestDepth(body, { ...ctx, depthLimit: 100 }));
        if (s === null) return;
        expect(Number.isSafeInteger(s.lastUpdateId)).toBe(true);
        checkLevels(s.bids);
        checkLevels(s.asks);
      }),
      { numRuns: RUNS },
    );
  });

  it('diff depth: U ≤ u, safe ids, decimal levels, a finite event time, or a ParseError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutated(DIFF), mutated({ ...DIFF, pu: 10 })), (payload) => {
        const d = attempt(() => parseDepthUpdate(payload, ctx));
        if (d === null) return;
        expect(d.firstUpdateId).toBeLessThanOrEqual(d.finalUpdateId);
        expect(Number.isSafeInteger(d.finalUpdateId)).toBe(true);
        expect(Number.isFinite(d.exchangeTimeMs)).toBe(true);
        expect(typeof d.symbol).toBe('string');
        checkLevels(d.bids);
        checkLevels(d.asks);
      }),
      { numRuns: RUNS },
    );
  });

  it('trades: finite price and quantity, a safe id, a boolean side, or a ParseError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), mutated(TRADE), mutated({ ...TRADE, e: 'trade', t: 3 })),
        (payload) => {
          const t = attempt(() => parseTrade(payload, ctx));
          if (t === null) return;
          expect(Number.isFinite(t.price) && Number.isFinite(t.qty)).toBe(true);
          expect(Number.isSafeInteger(t.tradeId)).toBe(true);
          expect(typeof t.buyerIsMaker).toBe('boolean');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('JSON text of any kind goes through JSON.parse and the parsers without another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json(), fc.constant(JSON.stringify(DIFF).slice(0, 40))),
        (text) => {
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            return;
          }
          attempt(() => parseDepthUpdate(value, ctx));
          attempt(() => parseTrade(value, ctx));
          attempt(() => parseRestDepth(value, { ...ctx, depthLimit: null }));
          const api = parseApiError(value);
          if (api !== null) expect(typeof api.code).toBe('number');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('exchangeInfo: symbols and limits, or a ParseError; suggestions never fail', () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({
        symbols: fc.array(
          fc.oneof(
            nasty,
            fc.record({ symbol: nasty, status: nasty, filters: fc.oneof(nasty, fc.array(fc.jsonValue())) }),
          ),
          { maxLength: 6 },
        ),
        rateLimits: fc.oneof(nasty, fc.array(fc.jsonValue(), { maxLength: 3 })),
      }),
    );
    fc.assert(
      fc.property(body, fc.string({ maxLength: 30 }), (b, wanted) => {
        const info = attempt(() => parseExchangeInfo(b, 'fuzz'));
        if (info === null) return;
        for (const s of suggestSymbols(wanted, info.symbols.keys())) expect(info.symbols.has(s)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('Retry-After: null or a wait a timer can hold (never above 3 days), whatever the header says', () => {
    const header = fc.oneof(
      fc.string(),
      fc.stringMatching(/^\d{1,30}(\.\d{1,5})?$/),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.constantFrom('Fri, 31 Dec 9999 23:59:59 GMT', '1e9', '99999999999999999999', '-5', 'Infinity'),
    );
    fc.assert(
      fc.property(header, (value) => {
        const ms = parseRetryAfter(value, Date.UTC(2024, 0, 1));
        if (ms === null) return;
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(3 * 86_400_000);
      }),
      { numRuns: RUNS },
    );
  });

  it('every error thrown on purpose is an ObiError', () => {
    expect(isObiError(attempt(() => parseTrade({}, ctx)) ?? new ParseError('x', 'y'))).toBe(true);
  });
});
