/**
 * Binance REST GET: builds the URL, parses the JSON body and maps Binance's error answers to typed errors
 * (binance-spot-api-docs rest-api.md "HTTP Return Codes", errors.md; BINANCE.md "REST depth").
 */
import { HttpError, IpBannedError, ParseError, RateLimitError, UnknownSymbolError } from '../../errors.js';
import { HttpClient } from '../../net/http-client.js';
import type { HttpResponse } from '../../net/http-client.js';
import { parseRetryAfter } from '../../net/retry-after.js';
import { parseApiError } from './parse.js';
import { nextWeightWindowMs } from './weight-budget.js';

/** Binance error code for an unknown symbol ("Invalid symbol."). */
export const INVALID_SYMBOL_CODE = -1121;
/** Shortest 418 ban Binance hands out (2 minutes); assumed when Retry-After is missing. */
export const MIN_BAN_MS = 120_000;

/** Options of a BinanceRestClient, resolved once. */
export interface BinanceRestClientOptions {
  /** e.g. `https://data-api.binance.vision`; a trailing slash is ignored. */
  readonly baseUrl: string;
  /** @default true */
  readonly verifyTls?: boolean;
  /**
   * Per-request timeout in ms.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Clock for sentAtMs / receivedAtMs and for turning Retry-After into an end time (epoch ms).
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A successful (2xx) answer. */
export interface BinanceResponse {
  readonly url: string;
  readonly status: number;
  readonly body: unknown;
  /** `X-MBX-USED-WEIGHT-1M`: weight this IP used in the current minute, or null when absent. */
  readonly usedWeight1m: number | null;
  /** When the request was sent (epoch ms). */
  readonly sentAtMs: number;
  /** When the whole answer had arrived (epoch ms). */
  readonly receivedAtMs: number;
}

/** Query parameters; values are sent as given (strings) or stringified (numbers). */
export type Query = Readonly<Record<string, string | number>>;

function usedWeight(headers: Readonly<Record<string, string>>): number | null {
  const raw = headers['x-mbx-used-weight-1m'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

/** A Binance REST client. Call close() when done. */
export class BinanceRestClient {
  readonly #http: HttpClient;
  readonly #baseUrl: string;
  readonly #now: () => number;

  constructor(options: BinanceRestClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#now = options.now ?? Date.now;
    this.#http = new HttpClient({
      now: this.#now,
      ...(options.verifyTls !== undefined ? { verifyTls: options.verifyTls } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** Returns the full URL for `path` and `query`. */
  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) params.set(key, String(value));
    const qs = params.toString();
    return `${this.#baseUrl}${path}${qs === '' ? '' : `?${qs}`}`;
  }

  /**
   * Returns the parsed 2xx answer to `GET path?query`. Throws RateLimitError (429), IpBannedError (418),
   * UnknownSymbolError (code -1121), HttpError (any other non-2xx), ParseError (2xx whose body is not JSON),
   * NetworkError / RequestTimeoutError (transport), or `signal.reason` when aborted.
   */
  async get(
    path: string,
    query: Query = {},
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<BinanceResponse> {
    const url = this.url(path, query);
    const response = await this.#http.get(url, options);
    if (response.status >= 200 && response.status < 300) {
      let body: unknown;
      try {
        body = JSON.parse(response.text);
      } catch (error) {
        throw new ParseError(`invalid JSON from GET ${url}: ${snippet(response.text)}`, url, undefined, {
          cause: error,
        });
      }
      return {
        url,
        status: response.status,
        body,
        usedWeight1m: usedWeight(response.headers),
        sentAtMs: response.sentAtMs,
        receivedAtMs: response.receivedAtMs,
      };
    }
    throw this.#statusError(response, query);
  }

  #statusError(response: HttpResponse, query: Query): Error {
    const { url, status } = response;
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(response.text);
    } catch {
      // Proxies and load balancers answer with HTML; the status alone tells what happened.
    }
    const api = parseApiError(parsed);
    const detail = api !== null ? `code ${api.code}: ${api.msg}` : snippet(response.text) || 'empty body';
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], response.receivedAtMs);
    if (status === 418) {
      const bannedUntilMs = response.receivedAtMs + (retryAfterMs ?? MIN_BAN_MS);
      return new IpBannedError(
        `HTTP 418 from GET ${url}: this IP is banned until ${new Date(bannedUntilMs).toISOString()} for ` +
          `continuing after 429s (${detail}); send nothing from this IP until then, every request makes the ban longer`,
        url,
        bannedUntilMs,
      );
    }
    if (status === 429) {
      // Without Retry-After, wait for the weight window to roll over: REQUEST_WEIGHT counts per minute.
      const waitMs = retryAfterMs ?? nextWeightWindowMs(response.receivedAtMs) - response.receivedAtMs;
      return new RateLimitError(
        `HTTP 429 from GET ${url}: rate limit broken (${detail}); retry after ${waitMs} ms`,
        url,
        waitMs,
      );
    }
    if (api !== null && api.code === INVALID_SYMBOL_CODE) {
      const symbol = query['symbol'];
      return new UnknownSymbolError(typeof symbol === 'string' ? symbol : String(symbol ?? '?'), []);
    }
    const what =
      status === 403
        ? 'blocked by the web application firewall'
        : status >= 500
          ? 'server error, the outcome is unknown'
          : 'request rejected';
    return new HttpError(`HTTP ${status} from GET ${url}: ${what} (${detail})`, status, url, api?.code);
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }
}
