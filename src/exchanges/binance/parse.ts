/**
 * Pure parsing of Binance payloads into obi's events. No I/O: the clients hand in parsed JSON and the
 * local receive time. Shapes follow binance-spot-api-docs `rest-api.md` (depth) and
 * `web-socket-streams.md` (diff depth, trades); USD-M adds `pu`, `T` (developers.binance.com).
 */
import type { BookDiff, BookSnapshot, PriceLevel, Trade, Venue } from '../../events.js';
import { ParseError } from '../../errors.js';

/** Context the payload itself does not carry. */
export interface ParseContext extends Venue {
  readonly symbol: string;
  readonly localTimeMs: number;
  /** Label for error messages, e.g. a URL or `recording.ndjson:12`. */
  readonly source?: string;
}

function fail(ctx: ParseContext, what: string): never {
  throw new ParseError(`symbol=${ctx.symbol}: ${what}`, ctx.source ?? `${ctx.exchange}/${ctx.market}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DOT = 46;

/** Returns the index of the first non-digit of `s` at or after `from` (or `s.length`). */
function skipDigits(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) break;
    i++;
  }
  return i;
}

/** Longest decimal string accepted (a price or quantity is far shorter). */
const MAX_DECIMAL_CHARS = 63;

function isDecimalString(v: unknown): v is string {
  // Binance sends fixed-point decimals such as "61837.63000000"; reject anything JSON.parse would
  // accept but a price cannot be ("", "NaN", "1e5" is tolerated by Number but not by Binance).
  // The shape is /^\d+(\.\d+)?$/, checked by a scan: two regex tests per level were a tenth of the time
  // a diff takes from its text to the book.
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_DECIMAL_CHARS) return false;
  const intEnd = skipDigits(v, 0);
  if (intEnd === 0) return false;
  if (intEnd === v.length) return true;
  if (v.charCodeAt(intEnd) !== CHAR_DOT) return false;
  const fracEnd = skipDigits(v, intEnd + 1);
  return fracEnd === v.length && fracEnd > intEnd + 1;
}

/** Validates `[["price","qty"], ...]`. Returns the array itself (no copy) when it is well-formed. */
export function parseLevels(v: unknown, ctx: ParseContext, field: string): readonly PriceLevel[] {
  if (!Array.isArray(v)) fail(ctx, `field "${field}" is not an array`);
  for (let i = 0; i < v.length; i++) {
    const level: unknown = v[i];
    if (
      !Array.isArray(level) ||
      level.length < 2 ||
      !isDecimalString(level[0]) ||
      !isDecimalString(level[1])
    ) {
      fail(ctx, `field "${field}"[${i}] is not a ["price","qty"] pair of decimal strings`);
    }
  }
  return v as readonly PriceLevel[];
}

function safeInt(v: unknown, ctx: ParseContext, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(ctx, `field "${field}" is not an id`);
  return v;
}

/**
 * Parses a REST depth body (`GET /api/v3/depth`, `/fapi/v1/depth`):
 * `{"lastUpdateId":1,"bids":[["p","q"]],"asks":[["p","q"]]}` (USD-M adds `E`, `T`).
 */
export function parseRestDepth(
  body: unknown,
  ctx: ParseContext & { readonly depthLimit: number | null; readonly requestTimeMs?: number },
): BookSnapshot {
  if (!isRecord(body)) fail(ctx, 'depth body is not a JSON object');
  const lastUpdateId = safeInt(body['lastUpdateId'], ctx, 'lastUpdateId');
  const bids = parseLevels(body['bids'], ctx, 'bids');
  const asks = parseLevels(body['asks'], ctx, 'asks');
  const e = body['E'];
  const snapshot: BookSnapshot = {
    type: 'snapshot',
    exchange: ctx.exchange,
    market: ctx.market,
    symbol: ctx.symbol,
    lastUpdateId,
    bids,
    asks,
    depthLimit: ctx.depthLimit,
    exchangeTimeMs: typeof e === 'number' && Number.isFinite(e) ? e : null,
    localTimeMs: ctx.localTimeMs,
    ...(ctx.requestTimeMs !== undefined ? { requestTimeMs: ctx.requestTimeMs } : {}),
  };
  return snapshot;
}

/**
 * Parses a `depthUpdate` payload (the `data` of a combined-stream message):
 * `{"e":"depthUpdate","E":..,"s":"BTCUSDT","U":..,"u":..,"b":[..],"a":[..]}`; USD-M adds `pu` and `T`.
 * The symbol comes from `s`; `ctx.symbol` is used only for messages.
 */
export function parseDepthUpdate(payload: unknown, ctx: ParseContext): BookDiff {
  if (!isRecord(payload)) fail(ctx, 'depth update is not a JSON object');
  if (payload['e'] !== 'depthUpdate')
    fail(ctx, `expected e="depthUpdate", got ${JSON.stringify(payload['e'])}`);
  const s = payload['s'];
  if (typeof s !== 'string' || s.length === 0) fail(ctx, 'depth update has no symbol "s"');
  const firstUpdateId = safeInt(payload['U'], ctx, 'U');
  const finalUpdateId = safeInt(payload['u'], ctx, 'u');
  if (finalUpdateId < firstUpdateId) fail(ctx, `u=${finalUpdateId} is below U=${firstUpdateId}`);
  const pu = payload['pu'];
  const eventTime = payload['E'];
  if (typeof eventTime !== 'number' || !Number.isFinite(eventTime))
    fail(ctx, 'depth update has no event time "E"');
  return {
    type: 'diff',
    exchange: ctx.exchange,
    market: ctx.market,
    symbol: s,
    firstUpdateId,
    finalUpdateId,
    prevFinalUpdateId: pu === undefined ? null : safeInt(pu, ctx, 'pu'),
    bids: parseLevels(payload['b'], ctx, 'b'),
    asks: parseLevels(payload['a'], ctx, 'a'),
    exchangeTimeMs: eventTime,
    localTimeMs: ctx.localTimeMs,
  };
}

/**
 * Parses a `trade` or `aggTrade` payload. `aggTrade` carries the id in `a`, `trade` in `t`.
 */
export function parseTrade(payload: unknown, ctx: ParseContext): Trade {
  if (!isRecord(payload)) fail(ctx, 'trade is not a JSON object');
  const e = payload['e'];
  if (e !== 'trade' && e !== 'aggTrade')
    fail(ctx, `expected e="trade" or "aggTrade", got ${JSON.stringify(e)}`);
  const s = payload['s'];
  if (typeof s !== 'string' || s.length === 0) fail(ctx, 'trade has no symbol "s"');
  const p = payload['p'];
  const q = payload['q'];
  if (!isDecimalString(p) || !isDecimalString(q)) fail(ctx, 'trade price/qty are not decimal strings');
  const m = payload['m'];
  if (typeof m !== 'boolean') fail(ctx, 'trade has no maker flag "m"');
  const t = payload['T'];
  if (typeof t !== 'number' || !Number.isFinite(t)) fail(ctx, 'trade has no time "T"');
  return {
    type: 'trade',
    exchange: ctx.exchange,
    market: ctx.market,
    symbol: s,
    tradeId: safeInt(e === 'aggTrade' ? payload['a'] : payload['t'], ctx, e === 'aggTrade' ? 'a' : 't'),
    price: Number(p),
    qty: Number(q),
    buyerIsMaker: m,
    exchangeTimeMs: t,
    localTimeMs: ctx.localTimeMs,
  };
}

/** Binance's error body `{"code":-1121,"msg":"Invalid symbol."}`, or null when the body is not one. */
export function parseApiError(body: unknown): { code: number; msg: string } | null {
  if (!isRecord(body)) return null;
  const code = body['code'];
  const msg = body['msg'];
  return typeof code === 'number' && typeof msg === 'string' ? { code, msg } : null;
}
