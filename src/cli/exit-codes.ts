import {
  ConfigError,
  HttpError,
  IpBannedError,
  NetworkError,
  OutputError,
  ParseError,
  UnknownSymbolError,
  isObiError,
} from '../errors.js';

/** Process exit codes, documented in the README's bad-input table. */
export const EXIT = {
  ok: 0,
  /** A bug: an error obi did not expect. */
  internal: 1,
  /** Wrong flags or options: change the command. */
  usage: 2,
  /** The source failed: unreachable host, TLS, unknown symbol, HTTP error. */
  source: 3,
  /** The venue banned this IP (HTTP 418): wait until the time given. */
  banned: 4,
  /** Output could not be written. */
  output: 5,
  /** Input data could not be read (a recording that is not one). */
  input: 6,
  /** Interrupted by a signal before any data was collected. */
  interrupted: 130,
} as const;

/** Maps an error to the exit code the CLI uses for it. */
export function exitCodeFor(error: unknown): number {
  if (!isObiError(error)) return EXIT.internal;
  if (error instanceof ConfigError) return EXIT.usage;
  if (error instanceof IpBannedError) return EXIT.banned;
  if (error instanceof UnknownSymbolError || error instanceof NetworkError || error instanceof HttpError) {
    return EXIT.source;
  }
  if (error instanceof OutputError) return EXIT.output;
  if (error instanceof ParseError) return EXIT.input;
  return EXIT.internal;
}
