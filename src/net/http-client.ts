/**
 * A small GET client over one undici `Agent` (keep-alive, so a poller reuses its TLS connection instead of
 * paying a handshake per tick). It owns sockets, timeouts and the translation of network failures into
 * NetworkError messages that name the host and what to do; status codes are the caller's business.
 */
import { Agent, request } from 'undici';
import { NetworkError } from '../errors.js';
import { onceAborted } from './abort-relay.js';
import { RequestTimeoutError } from './request-timeout-error.js';

/** Default per-request timeout: Binance's own server-side request timeout is 10 s (BINANCE.md). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Idle keep-alive sockets are closed after this long. */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** Options of an HttpClient, resolved once at construction. */
export interface HttpClientOptions {
  /**
   * Verify the server's TLS certificate. Turn off only behind a TLS-intercepting proxy you trust.
   * @default true
   */
  readonly verifyTls?: boolean;
  /**
   * Per-request timeout in ms, covering connect, headers and body.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Clock for sentAtMs / receivedAtMs (epoch ms).
   * @default Date.now
   */
  readonly now?: () => number;
  /** @default 'obi' */
  readonly userAgent?: string;
}

/** Per-call options. */
export interface HttpGetOptions {
  /** Aborting rejects the call with `signal.reason` (not a NetworkError). */
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  readonly timeoutMs?: number;
}

/** A complete response: status, headers (lower-case names, first value) and the body text. */
export interface HttpResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** When the request was handed to the socket layer (epoch ms). */
  readonly sentAtMs: number;
  /** When the last byte of the body had arrived (epoch ms). */
  readonly receivedAtMs: number;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Collects `code` from an error, its `cause` chain and AggregateError members (happy-eyeballs connects). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 4) return [];
  const codes: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') codes.push(code);
  codes.push(...errorCodes((error as { cause?: unknown }).cause, depth + 1));
  const members = (error as { errors?: unknown }).errors;
  if (Array.isArray(members)) for (const member of members) codes.push(...errorCodes(member, depth + 1));
  return codes;
}

/** Returns a NetworkError whose message names the host, the failure and what the user can do. */
export function describeNetworkError(error: unknown, url: string): NetworkError {
  const { host } = new URL(url);
  const codes = errorCodes(error);
  const has = (...wanted: string[]): boolean => codes.some((c) => wanted.includes(c));
  const tlsCode = codes.find((c) => TLS_CODES.has(c) || c.startsWith('ERR_SSL') || c.startsWith('ERR_TLS'));
  let message: string;
  if (has('ECONNREFUSED')) {
    message = `cannot connect to ${host} (connection refused): is the server running, and is the base URL right?`;
  } else if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME')) {
    message = `cannot resolve host ${host} (DNS lookup failed): check the base URL and your network connection`;
  } else if (tlsCode !== undefined) {
    message =
      `TLS certificate of ${host} was not accepted (${tlsCode}): if a proxy intercepts TLS, trust its CA ` +
      `(NODE_EXTRA_CA_CERTS); only if you trust the network, turn TLS verification off (--no-verify-ssl, ` +
      `or verifyTls: false in the library)`;
  } else if (has('UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT')) {
    message = `cannot connect to ${host} (connect timed out): check your network, firewall or proxy`;
  } else if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED')) {
    message = `connection to ${host} was closed mid-request (${codes[0] ?? 'reset'}): network trouble or the server dropped it`;
  } else if (has('ENETUNREACH', 'EHOSTUNREACH')) {
    message = `host ${host} is unreachable: check your network connection`;
  } else {
    const detail = error instanceof Error ? error.message : String(error);
    message = `request to ${host} failed: ${detail}`;
  }
  return new NetworkError(`${message} [GET ${url}]`, url, { cause: error });
}

class TimeoutSignal extends Error {}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** An HTTP GET client with keep-alive connections. Call close() when done, or the sockets keep the process alive. */
export class HttpClient {
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #userAgent: string;

  constructor(options: HttpClientOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
    this.#userAgent = options.userAgent ?? 'obi';
    this.#agent = new Agent({
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      ...(options.verifyTls === false ? { connect: { rejectUnauthorized: false } } : {}),
    });
  }

  /**
   * Returns the complete response to `GET url`, whatever its status. Throws RequestTimeoutError when no
   * complete answer arrives in time, NetworkError for any other transport failure, and `signal.reason` when
   * the caller aborts.
   */
  async get(url: string, options: HttpGetOptions = {}): Promise<HttpResponse> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const callerSignal = options.signal;
    if (callerSignal?.aborted === true) throw callerSignal.reason;
    const controller = new AbortController();
    // Through the relay: any number of requests share the caller's one listener (see abort-relay.ts).
    const unlink =
      callerSignal === undefined
        ? undefined
        : onceAborted(callerSignal, () => controller.abort(callerSignal.reason));
    const timer = setTimeout(() => controller.abort(new TimeoutSignal()), Math.max(0, timeoutMs));
    const sentAtMs = this.#now();
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: this.#agent,
        signal: controller.signal,
        headers: { accept: 'application/json', 'user-agent': this.#userAgent },
      });
      const text = await response.body.text();
      const receivedAtMs = this.#now();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        const first = Array.isArray(value) ? value[0] : value;
        if (typeof first === 'string') headers[name.toLowerCase()] = first;
      }
      return { url, status: response.statusCode, headers, text, sentAtMs, receivedAtMs };
    } catch (error) {
      if (controller.signal.reason instanceof TimeoutSignal) {
        throw new RequestTimeoutError(
          `no complete answer from ${new URL(url).host} within ${timeoutMs} ms [GET ${url}]`,
          url,
          timeoutMs,
          { cause: error },
        );
      }
      // Read through a function: the narrowing from the check at the top does not survive the awaits.
      if (isAborted(callerSignal)) throw callerSignal?.reason;
      throw describeNetworkError(error, url);
    } finally {
      clearTimeout(timer);
      unlink?.();
    }
  }

  /** Closes every connection; in-flight requests are aborted. Returns when the sockets are gone. */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}
