import { OutputError } from '../errors.js';

/**
 * The on-disk outage buffer reached its size limit while the bus was unreachable. Nothing already buffered
 * is lost: a publisher started again with the same outbox directory sends it first.
 */
export class OutboxFullError extends OutputError {
  override name = 'OutboxFullError';
  constructor(
    dir: string,
    readonly pendingBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `bus outbox ${dir} is full (${pendingBytes} bytes waiting, limit ${maxBytes}): the bus has been ` +
        'unreachable too long; what is buffered is kept and sent by the next run using this outbox',
      dir,
    );
  }
}
