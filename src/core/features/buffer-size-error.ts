import { ObiError } from '../../errors.js';

/** A caller-provided output array is too short for what was asked: a programming error, not bad data. */
export class BufferSizeError extends ObiError {
  override name = 'BufferSizeError';
  constructor(
    readonly feature: string,
    readonly required: number,
    readonly actual: number,
  ) {
    super(`${feature}: out.length=${actual}, needs at least ${required}`);
  }
}
