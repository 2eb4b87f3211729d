/**
 * A sliding-window rate limit as a pure value: "at most `limit` units in any `windowMs`". Used for the
 * websocket limits that are counted this way (BINANCE.md, "Websocket market streams": 5 incoming control
 * messages per second per connection, 300 new connections per 5 minutes per IP) and for the snapshot
 * requests' own weight per minute. The caller owns the clock: every method takes `nowMs`.
 */
import { ConfigError } from '../../errors.js';

export class RateWindow {
  /** Spend times and costs, oldest first. */
  private readonly times: number[] = [];
  private readonly costs: number[] = [];
  private sum = 0;

  /** Returns a window allowing `limit` units per `windowMs`. Throws ConfigError for non-positive values. */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!(limit > 0) || !(windowMs > 0)) {
      throw new ConfigError(`rate window needs limit > 0 and windowMs > 0, got ${limit}/${windowMs}`, 'rate');
    }
  }

  /** Returns the units spent in the window ending at `nowMs`. */
  used(nowMs: number): number {
    this.expire(nowMs);
    return this.sum;
  }

  /**
   * Returns 0 when `cost` more units fit in the window at `nowMs`, else the ms until enough old spends
   * leave it. A cost above the whole limit is allowed into an empty window (never blocks forever).
   */
  delayMs(nowMs: number, cost = 1): number {
    this.expire(nowMs);
    if (this.sum + cost <= this.limit || this.times.length === 0) return 0;
    // Walk the oldest spends until enough would have left: the window then ends past that spend.
    let freed = 0;
    for (let i = 0; i < this.times.length; i++) {
      freed += this.costs[i] as number;
      if (this.sum - freed + cost <= this.limit) {
        return Math.max(0, (this.times[i] as number) + this.windowMs - nowMs);
      }
    }
    return Math.max(0, (this.times[this.times.length - 1] as number) + this.windowMs - nowMs);
  }

  /** Records `cost` units spent at `nowMs`. */
  record(nowMs: number, cost = 1): void {
    this.expire(nowMs);
    this.times.push(nowMs);
    this.costs.push(cost);
    this.sum += cost;
  }

  private expire(nowMs: number): void {
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] as number) <= nowMs - this.windowMs) {
      this.sum -= this.costs[drop] as number;
      drop++;
    }
    if (drop > 0) {
      this.times.splice(0, drop);
      this.costs.splice(0, drop);
    }
  }
}
