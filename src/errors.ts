/**
 * Typed errors. Every error obi throws on purpose is an ObiError subclass with the context a user needs;
 * only the CLI maps them to messages and exit codes.
 */

const OBI_ERROR = Symbol.for('obi.error');

export class ObiError extends Error {
  override name = 'ObiError';
  readonly [OBI_ERROR] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** True for any ObiError, across module copies (realm-safe). */
export function isObiError(value: unknown): value is ObiError {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OBI_ERROR] === true
  );
}

/** Bad options or flags: the user must change the command. */
export class ConfigError extends ObiError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly option?: string,
  ) {
    super(message);
  }
}

/** Input data (a recording line, a REST body, a websocket message) that cannot be parsed. */
export class ParseError extends ObiError {
  override name = 'ParseError';
  constructor(
    message: string,
    readonly source: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The venue answered with an error status. */
export class HttpError extends ObiError {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly url: string,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 429: a rate limit was broken; wait `retryAfterMs`. */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError';
  constructor(
    message: string,
    url: string,
    readonly retryAfterMs: number,
  ) {
    super(message, 429, url, -1003);
  }
}

/** 418: the IP is banned until `bannedUntilMs` (epoch ms). Continuing makes the ban longer. */
export class IpBannedError extends HttpError {
  override name = 'IpBannedError';
  constructor(
    message: string,
    url: string,
    readonly bannedUntilMs: number,
  ) {
    super(message, 418, url);
  }
}

/** The symbol does not exist on the venue (Binance -1121). */
export class UnknownSymbolError extends ObiError {
  override name = 'UnknownSymbolError';
  constructor(
    readonly symbol: string,
    readonly suggestions: readonly string[],
  ) {
    super(
      `unknown symbol ${symbol}` +
        (suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '; check the spelling'),
    );
  }
}

/** A local book lost continuity with the stream (Binance "How to manage a local order book correctly"). */
export class BookSyncError extends ObiError {
  override name = 'BookSyncError';
  constructor(
    message: string,
    readonly symbol: string,
    readonly lastUpdateId: number | null,
    readonly firstUpdateId: number | null,
  ) {
    super(message);
  }
}

/** Network-level failure (DNS, connection refused, TLS, timeout). */
export class NetworkError extends ObiError {
  override name = 'NetworkError';
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Output could not be written (unwritable path, full disk, refusing to clobber). */
export class OutputError extends ObiError {
  override name = 'OutputError';
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
