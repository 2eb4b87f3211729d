/**
 * Binance's REQUEST_WEIGHT limiter as the simulator enforces it (binance-spot-api-docs rest-api.md,
 * "IP Limits"): weight is counted per client IP per calendar minute; over the limit → 429 with
 * Retry-After (seconds to the next minute); an IP that keeps sending after 429s is banned → 418 with
 * Retry-After until the ban ends, bans growing for repeat offenders "from 2 minutes to 3 days".
 * Pure: the caller passes the time.
 */

export interface WeightBudgetOptions {
  /** Weight per IP per window (Binance spot 6000, USD-M 2400). */
  readonly limit: number;
  /**
   * Window length; Binance counts per calendar minute.
   * @default 60000
   */
  readonly windowMs?: number;
  /**
   * 429s an IP may receive in one window; the next over-limit request is banned (418).
   * @default 3
   */
  readonly banAfter429s?: number;
  /**
   * First ban's length; each further ban doubles it, up to `maxBanMs`.
   * @default 120000
   */
  readonly banMs?: number;
  /**
   * Longest ban.
   * @default 259200000 (3 days)
   */
  readonly maxBanMs?: number;
}

/** The verdict on one request. `usedWeight` is what `X-MBX-USED-WEIGHT-1M` reports. */
export type Admission =
  | { readonly kind: 'ok'; readonly usedWeight: number }
  | { readonly kind: 'limited'; readonly usedWeight: number; readonly retryAfterS: number }
  | {
      readonly kind: 'banned';
      readonly usedWeight: number;
      readonly retryAfterS: number;
      readonly bannedUntilMs: number;
    };

interface IpState {
  window: number;
  used: number;
  rejected: number;
  bannedUntilMs: number;
  bans: number;
}

export class WeightBudget {
  private readonly ips = new Map<string, IpState>();
  private readonly windowMs: number;
  private readonly banAfter429s: number;
  private readonly banMs: number;
  private readonly maxBanMs: number;

  constructor(private readonly options: WeightBudgetOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.banAfter429s = options.banAfter429s ?? 3;
    this.banMs = options.banMs ?? 120_000;
    this.maxBanMs = options.maxBanMs ?? 259_200_000;
  }

  /** Returns the weight used by `ip` in the window containing `nowMs`. */
  used(ip: string, nowMs: number): number {
    const s = this.ips.get(ip);
    return s === undefined || s.window !== Math.floor(nowMs / this.windowMs) ? 0 : s.used;
  }

  /** Charges `weight` to `ip` at `nowMs` and returns whether the request may be served. */
  admit(ip: string, weight: number, nowMs: number): Admission {
    const window = Math.floor(nowMs / this.windowMs);
    let s = this.ips.get(ip);
    if (s === undefined) {
      s = { window, used: 0, rejected: 0, bannedUntilMs: 0, bans: 0 };
      this.ips.set(ip, s);
    }
    if (s.window !== window) {
      s.window = window;
      s.used = 0;
      s.rejected = 0;
    }
    if (nowMs < s.bannedUntilMs) {
      return {
        kind: 'banned',
        usedWeight: s.used,
        retryAfterS: Math.ceil((s.bannedUntilMs - nowMs) / 1000),
        bannedUntilMs: s.bannedUntilMs,
      };
    }
    s.used += weight;
    if (s.used <= this.options.limit) return { kind: 'ok', usedWeight: s.used };
    if (s.rejected >= this.banAfter429s) {
      s.bans++;
      s.bannedUntilMs = nowMs + Math.min(this.banMs * 2 ** (s.bans - 1), this.maxBanMs);
      return {
        kind: 'banned',
        usedWeight: s.used,
        retryAfterS: Math.ceil((s.bannedUntilMs - nowMs) / 1000),
        bannedUntilMs: s.bannedUntilMs,
      };
    }
    s.rejected++;
    const windowEndMs = (window + 1) * this.windowMs;
    return {
      kind: 'limited',
      usedWeight: s.used,
      retryAfterS: Math.max(1, Math.ceil((windowEndMs - nowMs) / 1000)),
    };
  }
}
