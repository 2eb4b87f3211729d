/**
 * A live source's statement "the local clock has reached `localTimeMs`, and every event received before
 * that has already been handed on". It lets a cadence sampler emit ticks while the market is quiet. It is
 * not market data: it is never recorded, and a replay reaches the same ticks from the recorded events'
 * own times (see diff-sampler.ts).
 */
export interface ClockMark {
  readonly type: 'clock';
  /** Local time (epoch ms), never below the time of any input handed on before it. */
  readonly localTimeMs: number;
}
