import { ObiError } from '../../errors.js';

/** A time-aware statistic was fed a time earlier than its previous observation (or not a number). */
export class OutOfOrderTimeError extends ObiError {
  override name = 'OutOfOrderTimeError';
  constructor(
    readonly timeMs: number,
    readonly previousTimeMs: number,
  ) {
    super(`timeMs=${timeMs} is earlier than the previous observation at timeMs=${previousTimeMs}`);
  }
}
