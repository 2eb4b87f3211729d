import { NetworkError } from '../errors.js';

/** No complete answer arrived within `timeoutMs`. A NetworkError, so callers that retry network failures retry it too. */
export class RequestTimeoutError extends NetworkError {
  override name = 'RequestTimeoutError';
  constructor(
    message: string,
    url: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, url, options);
  }
}
