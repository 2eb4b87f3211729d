/**
 * The simulator's REST market-data API, answering exactly as Binance does (rest-api.md: order book,
 * exchange information, server time, ping, aggregate trades; USD-M `/fapi/v1/*` variants): same
 * paths, bodies, error codes, weights, `X-MBX-USED-WEIGHT-1M` and `Retry-After` headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatUnits } from './fixed-decimal.js';
import type { FaultRule } from './fault-rule.js';
import type { Faults } from './faults.js';
import type { DepthBody, SimulatedMarket } from './market.js';
import type { WeightBudget } from './weight-budget.js';

/** What the REST handler needs from the server. */
export interface RestContext {
  readonly market: SimulatedMarket;
  readonly faults: Faults;
  readonly budget: WeightBudget;
  readonly weightLimitPerMinute: number;
  readonly clock: () => number;
  /** Runs `fn` after `ms`, cancelled when the server closes. */
  readonly later: (ms: number, fn: () => void) => void;
}

/** A Binance error answer. */
interface ApiError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

type Params = URLSearchParams;

interface Route {
  /** Request weight (rest-api.md, per endpoint; depth by limit). */
  weight(params: Params): number;
  /** Returns the JSON body or an error. */
  answer(params: Params): unknown;
}

/**
 * Longest request target (path and query) answered: 8 KB, the request line HTTP front ends commonly accept
 * (nginx's default large_client_header_buffers, CloudFront's URL limit); longer ones get 431 as Node's own
 * parser gives for an over-long head.
 */
export const MAX_REQUEST_URL_BYTES = 8192;

const SYMBOL_RE = /^[A-Z0-9-_.]{1,20}$/;
const UINT_RE = /^[0-9]{1,20}$/;
const FUTURES_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

class ApiErrorAnswer {
  constructor(readonly error: ApiError) {}
}

function fail(status: number, code: number, msg: string): never {
  throw new ApiErrorAnswer({ status, code, msg });
}

function mandatory(name: string): never {
  return fail(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** Spot depth weight by limit (rest-api.md "Order book": 1–100 → 5; 101–500 → 25; 501–1000 → 50; 1001–5000 → 250). */
export function spotDepthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/** USD-M depth weight by limit (5–50 → 2; 100 → 5; 500 → 10; 1000 → 20). */
export function futuresDepthWeight(limit: number): number {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

function parseUint(params: Params, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!UINT_RE.test(raw))
    fail(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  return Number(raw);
}

function leniently(params: Params, name: string, fallback: number): number {
  const raw = params.get(name);
  return raw !== null && UINT_RE.test(raw) ? Number(raw) : fallback;
}

export function createRestHandler(ctx: RestContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { market } = ctx;
  const futures = market.marketType === 'futures';
  const prefix = futures ? '/fapi/v1/' : '/api/v3/';

  const symbolParam = (params: Params): string => {
    const s = params.get('symbol');
    if (s === null || s === '') mandatory('symbol');
    if (!SYMBOL_RE.test(s)) {
      fail(
        400,
        -1100,
        "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
      );
    }
    if (!market.has(s)) fail(400, -1121, 'Invalid symbol.');
    return s;
  };

  const depthLimit = (params: Params): number => {
    const limit = parseUint(params, 'limit');
    if (futures) {
      if (limit === undefined) return 500;
      if (!FUTURES_DEPTH_LIMITS.includes(limit))
        fail(400, -1130, "Data sent for parameter 'limit' is not valid.");
      return limit;
    }
    if (limit === undefined) return 100;
    if (limit < 1) fail(400, -1130, "Data sent for parameter 'limit' is not valid.");
    // "If limit > 5000, then the response will truncate to 5000."
    return Math.min(limit, 5000);
  };

  const symbolInfo = (symbol: string): Record<string, unknown> => {
    const s = market.spec(symbol);
    const maxPrice = formatUnits(1_000_000 * 1e8, s.priceDecimals);
    const maxQty = formatUnits(9000 * 1e8, s.qtyDecimals);
    const filters = [
      { filterType: 'PRICE_FILTER', minPrice: s.tickSize, maxPrice, tickSize: s.tickSize },
      { filterType: 'LOT_SIZE', minQty: s.stepSize, maxQty, stepSize: s.stepSize },
    ];
    if (futures) {
      return {
        symbol,
        pair: symbol,
        contractType: 'PERPETUAL',
        status: 'TRADING',
        baseAsset: s.baseAsset,
        quoteAsset: s.quoteAsset,
        marginAsset: s.quoteAsset,
        pricePrecision: s.priceDecimals,
        quantityPrecision: s.qtyDecimals,
        filters,
        orderTypes: [
          'LIMIT',
          'MARKET',
          'STOP',
          'STOP_MARKET',
          'TAKE_PROFIT',
          'TAKE_PROFIT_MARKET',
          'TRAILING_STOP_MARKET',
        ],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
      };
    }
    return {
      symbol,
      status: 'TRADING',
      baseAsset: s.baseAsset,
      baseAssetPrecision: 8,
      quoteAsset: s.quoteAsset,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: [
        'LIMIT',
        'LIMIT_MAKER',
        'MARKET',
        'STOP_LOSS',
        'STOP_LOSS_LIMIT',
        'TAKE_PROFIT',
        'TAKE_PROFIT_LIMIT',
      ],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters,
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    };
  };

  const exchangeInfoSymbols = (params: Params): string[] => {
    if (futures) return [...market.symbols];
    const one = params.get('symbol');
    const many = params.get('symbols');
    if (one !== null && many !== null) fail(400, -1128, 'Combination of optional parameters invalid.');
    if (one !== null) return [symbolParam(params)];
    if (many === null) return [...market.symbols];
    let list: unknown;
    try {
      list = JSON.parse(many);
    } catch {
      list = undefined;
    }
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((s): s is string => typeof s === 'string' && SYMBOL_RE.test(s))
    ) {
      return fail(
        400,
        -1100,
        `Illegal characters found in parameter 'symbols'; legal range is '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'.`,
      );
    }
    if (new Set(list).size !== list.length) fail(400, -1151, 'Symbol is present multiple times in the list.');
    for (const s of list) if (!market.has(s)) fail(400, -1121, 'Invalid symbol.');
    return list;
  };

  const rateLimits = futures
    ? [
        {
          rateLimitType: 'REQUEST_WEIGHT',
          interval: 'MINUTE',
          intervalNum: 1,
          limit: ctx.weightLimitPerMinute,
        },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
      ]
    : [
        {
          rateLimitType: 'REQUEST_WEIGHT',
          interval: 'MINUTE',
          intervalNum: 1,
          limit: ctx.weightLimitPerMinute,
        },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ];

  const routes = new Map<string, Route>([
    [
      'depth',
      {
        weight: (p) => {
          const limit = leniently(p, 'limit', futures ? 500 : 100);
          return futures ? futuresDepthWeight(limit) : spotDepthWeight(limit);
        },
        answer: (p) => {
          const symbol = symbolParam(p);
          const book = market.depth(symbol, depthLimit(p));
          if (!futures) return book;
          const now = Math.floor(ctx.clock());
          return { lastUpdateId: book.lastUpdateId, E: now, T: now, bids: book.bids, asks: book.asks };
        },
      },
    ],
    [
      'exchangeInfo',
      {
        weight: () => (futures ? 1 : 20),
        answer: (p) => {
          const symbols = exchangeInfoSymbols(p);
          const head = { timezone: 'UTC', serverTime: Math.floor(ctx.clock()) };
          return futures
            ? {
                ...head,
                futuresType: 'U_MARGINED',
                rateLimits,
                exchangeFilters: [],
                assets: [],
                symbols: symbols.map(symbolInfo),
              }
            : { ...head, rateLimits, exchangeFilters: [], symbols: symbols.map(symbolInfo) };
        },
      },
    ],
    ['time', { weight: () => 1, answer: () => ({ serverTime: Math.floor(ctx.clock()) }) }],
    ['ping', { weight: () => 1, answer: () => ({}) }],
    [
      'aggTrades',
      {
        weight: () => (futures ? 20 : 4),
        answer: (p) => {
          const symbol = symbolParam(p);
          const limit = Math.min(parseUint(p, 'limit') ?? 500, 1000);
          const fromId = parseUint(p, 'fromId');
          const trades =
            fromId === undefined
              ? market.recentAggTrades(symbol, limit)
              : market.aggTradesSince(symbol, fromId - 1).slice(0, limit);
          return trades.map((t) => ({
            a: t.aggTradeId,
            p: t.price,
            q: t.qty,
            f: t.firstTradeId,
            l: t.lastTradeId,
            T: t.timeMs,
            m: t.buyerIsMaker,
            ...(futures ? {} : { M: true }),
          }));
        },
      },
    ],
  ]);

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    usedWeight: number | undefined,
    headers: Record<string, string> = {},
  ): void => {
    if (res.writableEnded || res.destroyed) return;
    res.statusCode = status;
    res.setHeader('Content-Type', body.startsWith('<') ? 'text/html' : 'application/json;charset=UTF-8');
    if (usedWeight !== undefined) res.setHeader('X-MBX-USED-WEIGHT-1M', String(usedWeight));
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(body);
  };

  const sendError = (
    res: ServerResponse,
    e: ApiError,
    usedWeight: number | undefined,
    headers?: Record<string, string>,
  ): void => send(res, e.status, JSON.stringify({ code: e.code, msg: e.msg }), usedWeight, headers);

  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    route: Route,
    params: Params,
  ): void => {
    const ip = req.socket.remoteAddress ?? 'unknown';
    const now = ctx.clock();
    const verdict = ctx.budget.admit(ip, route.weight(params), now);
    if (verdict.kind === 'banned') {
      sendError(
        res,
        {
          status: 418,
          code: -1003,
          msg: `Way too much request weight used; IP banned until ${verdict.bannedUntilMs}. Please use WebSocket Streams for live updates to avoid bans.`,
        },
        verdict.usedWeight,
        { 'Retry-After': String(verdict.retryAfterS) },
      );
      return;
    }
    if (verdict.kind === 'limited') {
      sendError(res, tooMuchWeight(ctx.weightLimitPerMinute), verdict.usedWeight, {
        'Retry-After': String(verdict.retryAfterS),
      });
      return;
    }
    let body: unknown;
    try {
      body = route.answer(params);
    } catch (e) {
      if (e instanceof ApiErrorAnswer) {
        sendError(res, e.error, verdict.usedWeight);
        return;
      }
      throw e;
    }
    const symbol = params.get('symbol') ?? undefined;
    if (name === 'depth' && ctx.faults.take('rest-crossed', symbol, name) !== undefined)
      body = crossed(body as DepthBody);
    let text = JSON.stringify(body);
    if (ctx.faults.take('rest-malformed', symbol, name) !== undefined)
      text = text.slice(0, Math.floor(text.length / 2));
    send(res, 200, text, verdict.usedWeight);
  };

  return (req, res) => {
    // A real front end refuses an over-long request line before Binance sees it (no JSON body, no weight).
    if ((req.url ?? '').length > MAX_REQUEST_URL_BYTES) {
      send(res, 431, '<html><body><h1>431 Request Header Fields Too Large</h1></body></html>', undefined);
      return;
    }
    const url = requestUrl(req.url);
    if (url === null) {
      send(
        res,
        400,
        JSON.stringify({ code: -1100, msg: 'Illegal characters found in a parameter.' }),
        undefined,
      );
      return;
    }
    const name = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : undefined;
    const route = name === undefined ? undefined : routes.get(name);
    if (name === undefined || route === undefined) {
      send(res, 404, '<html><body><h2>404 Not found</h2></body></html>', undefined);
      return;
    }
    if (req.method !== 'GET') {
      sendError(
        res,
        { status: 405, code: -1000, msg: `Request method '${req.method ?? ''}' not supported.` },
        undefined,
      );
      return;
    }
    const params = url.searchParams;
    const symbol = params.get('symbol') ?? undefined;
    const f = ctx.faults;
    if (f.take('rest-hang', symbol, name) !== undefined) return; // never answered; the server destroys it on close
    const err = f.take('rest-5xx', symbol, name);
    if (err !== undefined) {
      const status = err.status ?? 503;
      const body =
        status === 502 || status === 504
          ? `<html><body><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Gateway Time-out'}</h1></body></html>`
          : JSON.stringify({
              code: -1001,
              msg: 'Internal error; unable to process your request. Please try again.',
            });
      send(res, status, body, undefined);
      return;
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    const limited: FaultRule | undefined = f.take('rest-429', symbol, name);
    if (limited !== undefined) {
      sendError(res, tooMuchWeight(ctx.weightLimitPerMinute), ctx.budget.used(ip, ctx.clock()), {
        'Retry-After': String(limited.retryAfterS ?? 1),
      });
      return;
    }
    const banned = f.take('rest-418', symbol, name);
    if (banned !== undefined) {
      const until = Math.floor(ctx.clock()) + (banned.retryAfterS ?? 2) * 1000;
      sendError(
        res,
        {
          status: 418,
          code: -1003,
          msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
        },
        ctx.budget.used(ip, ctx.clock()),
        { 'Retry-After': String(banned.retryAfterS ?? 2) },
      );
      return;
    }
    const slow = f.take('rest-slow', symbol, name);
    if (slow !== undefined) ctx.later(slow.delayMs ?? 2000, () => serve(req, res, name, route, params));
    else serve(req, res, name, route, params);
  };
}

/** Binance's 429 body (errors.md, -1003 TOO_MANY_REQUESTS). */
function tooMuchWeight(limit: number): ApiError {
  return {
    status: 429,
    code: -1003,
    msg: `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
  };
}

/** Returns the snapshot with a bid level inserted above the best ask (a crossed book). */
function crossed(book: DepthBody): DepthBody {
  const above = book.asks[1] ?? book.asks[0];
  const best = book.bids[0];
  if (above === undefined || best === undefined) return book;
  return { ...book, bids: [[above[0], best[1]], ...book.bids] };
}

/**
 * Returns the request's URL, or null when it cannot be one: `new URL('//', base)` throws (a
 * protocol-relative reference with no host), and a throw in a request handler would end the process.
 */
export function requestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://simulator');
  } catch {
    return null;
  }
}
