/**
 * Binance's `REQUEST_WEIGHT` limit is per IP per minute and shared by every request from that IP
 * (BINANCE.md, "REST depth"). Two guards keep a poller under it:
 * - planning (checkWeightBudget): refuse a configuration whose steady rate exceeds a safety fraction of
 *   the limit, and say what would fit;
 * - pacing (pacingDelayMs): when `X-MBX-USED-WEIGHT-1M` shows the IP near the limit (other processes
 *   share it), send nothing more until the minute rolls over.
 */
import { ConfigError } from '../../errors.js';
import { binanceEndpoints } from './endpoints.js';
import type { BinanceExchange, BinanceMarket } from './endpoints.js';
import { cheaperDepthLimits, depthRequestWeight } from './request-weight.js';

/** Planned steady usage may take at most this fraction of the per-minute limit. */
export const DEFAULT_WEIGHT_SAFETY_FRACTION = 0.8;
/**
 * Pacing starts when used + in-flight + next request would pass this fraction of the limit. It is above the
 * planning fraction so a poller alone never paces itself; the spare tenth covers weight the last header has
 * not counted yet and clock skew at the minute boundary.
 */
export const DEFAULT_PACING_FRACTION = 0.9;
/** Binance counts weight in fixed one-minute windows (the `1M` of `X-MBX-USED-WEIGHT-1M`). */
export const WEIGHT_WINDOW_MS = 60_000;
/** Suggested intervals are rounded up to this many ms so messages read well. */
const INTERVAL_STEP_MS = 10;

/** A polling configuration to check against the IP's weight limit. */
export interface WeightBudgetRequest {
  readonly exchange: BinanceExchange;
  /** @default 'spot' */
  readonly market?: BinanceMarket;
  readonly symbolCount: number;
  readonly depthLimit: number;
  /** One request per symbol every `intervalMs`. */
  readonly intervalMs: number;
  /**
   * The venue's per-minute limit (exchangeInfo `rateLimits` when known).
   * @default binanceEndpoints(exchange, market).weightLimitPerMinute
   */
  readonly weightLimitPerMinute?: number;
  /** @default 0.8 */
  readonly safetyFraction?: number;
}

/** A cheaper depth limit and how fast it could be polled. */
export interface CheaperDepthLimit {
  readonly depthLimit: number;
  readonly weight: number;
  readonly fastestIntervalMs: number;
}

/** The outcome of checkWeightBudget. */
export interface WeightBudgetVerdict {
  readonly fits: boolean;
  readonly weightPerRequest: number;
  /** Planned weight per minute: symbols × weight × requests per minute. */
  readonly weightPerMinute: number;
  /** limit × safety fraction. */
  readonly budgetPerMinute: number;
  readonly weightLimitPerMinute: number;
  /** The smallest interval (rounded up to 10 ms) at which this configuration fits. */
  readonly fastestIntervalMs: number;
  /** When it does not fit: the cheaper depth limit to suggest, or null when there is none. */
  readonly cheaper: CheaperDepthLimit | null;
  /** One line saying the arithmetic and, when it does not fit, what would. */
  readonly message: string;
}

function fastestInterval(symbolCount: number, weight: number, budgetPerMinute: number): number {
  const exactMs = (symbolCount * weight * WEIGHT_WINDOW_MS) / budgetPerMinute;
  // The epsilon keeps 940.0000000001 (float noise) from rounding up to 950.
  return Math.max(INTERVAL_STEP_MS, Math.ceil(exactMs / INTERVAL_STEP_MS - 1e-9) * INTERVAL_STEP_MS);
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/**
 * Returns whether `symbolCount` depth requests of `depthLimit` every `intervalMs` fit within the safety
 * fraction of the IP's per-minute weight limit, with the arithmetic and the fastest interval that fits.
 */
export function checkWeightBudget(request: WeightBudgetRequest): WeightBudgetVerdict {
  const market = request.market ?? 'spot';
  const limit =
    request.weightLimitPerMinute ?? binanceEndpoints(request.exchange, market).weightLimitPerMinute;
  const fraction = request.safetyFraction ?? DEFAULT_WEIGHT_SAFETY_FRACTION;
  if (!(request.intervalMs > 0))
    throw new ConfigError(`interval must be > 0 ms, got ${request.intervalMs}`, 'intervalMs');
  if (!Number.isInteger(request.symbolCount) || request.symbolCount < 1) {
    throw new ConfigError(`need at least one symbol, got ${request.symbolCount}`, 'symbols');
  }
  if (!(fraction > 0 && fraction <= 1)) {
    throw new ConfigError(`safety fraction must be in (0, 1], got ${fraction}`, 'safetyFraction');
  }
  const weight = depthRequestWeight(request.exchange, market, request.depthLimit);
  const budgetPerMinute = limit * fraction;
  const weightPerMinute = (request.symbolCount * weight * WEIGHT_WINDOW_MS) / request.intervalMs;
  const fits = weightPerMinute <= budgetPerMinute;
  const fastestIntervalMs = fastestInterval(request.symbolCount, weight, budgetPerMinute);

  const symbols = `${request.symbolCount} symbol${request.symbolCount === 1 ? '' : 's'}`;
  const budget = `${formatCount(budgetPerMinute)}/min (${Math.round(fraction * 100)}% of ${limit})`;
  const head = `${symbols} × weight ${weight} every ${request.intervalMs} ms = ${formatCount(weightPerMinute)}/min`;
  if (fits) {
    return {
      fits,
      weightPerRequest: weight,
      weightPerMinute,
      budgetPerMinute,
      weightLimitPerMinute: limit,
      fastestIntervalMs,
      cheaper: null,
      message: `${head} ≤ ${budget}`,
    };
  }

  const options = cheaperDepthLimits(request.exchange, market, request.depthLimit).map(
    ([depthLimit, w]): CheaperDepthLimit => ({
      depthLimit,
      weight: w,
      fastestIntervalMs: fastestInterval(request.symbolCount, w, budgetPerMinute),
    }),
  );
  // Prefer the deepest cheaper limit that fits at the requested interval; else the cheapest one there is.
  const cheaper =
    options.find(
      (o) => (request.symbolCount * o.weight * WEIGHT_WINDOW_MS) / request.intervalMs <= budgetPerMinute,
    ) ??
    options.at(-1) ??
    null;
  let message = `${head} > ${budget}; the fastest interval that fits is ${fastestIntervalMs} ms`;
  if (cheaper !== null) {
    message += `, or lower --depth-limit to ${cheaper.depthLimit} (weight ${cheaper.weight})`;
    if (cheaper.fastestIntervalMs > request.intervalMs) {
      message += ` and poll every ${cheaper.fastestIntervalMs} ms or slower`;
    }
  }
  return {
    fits,
    weightPerRequest: weight,
    weightPerMinute,
    budgetPerMinute,
    weightLimitPerMinute: limit,
    fastestIntervalMs,
    cheaper,
    message,
  };
}

/** Returns the verdict when the configuration fits; throws ConfigError (option `intervalMs`) with its message otherwise. */
export function assertWeightBudget(request: WeightBudgetRequest): WeightBudgetVerdict {
  const verdict = checkWeightBudget(request);
  if (!verdict.fits) throw new ConfigError(verdict.message, 'intervalMs');
  return verdict;
}

/** Returns the epoch ms at which the weight window containing `nowMs` ends. */
export function nextWeightWindowMs(nowMs: number): number {
  return (Math.floor(nowMs / WEIGHT_WINDOW_MS) + 1) * WEIGHT_WINDOW_MS;
}

/** The last `X-MBX-USED-WEIGHT-1M` seen and when (local receive time, epoch ms). */
export interface UsedWeightObservation {
  readonly usedWeight: number;
  readonly observedAtMs: number;
}

/** What pacingDelayMs needs to decide whether one more request may go now. */
export interface PacingInput {
  /** The latest header, or null when none has been seen. */
  readonly observed: UsedWeightObservation | null;
  /** Weight of requests sent but not answered yet (the header may not count them). */
  readonly inFlightWeight: number;
  readonly requestWeight: number;
  readonly weightLimitPerMinute: number;
  readonly nowMs: number;
  /** @default 0.9 */
  readonly fraction?: number;
}

/**
 * Returns 0 when one more request of `requestWeight` keeps the IP under `fraction` of its limit, else the
 * ms until the current weight window rolls over. A header from an earlier window counts as 0 used: the
 * window reset since.
 */
export function pacingDelayMs(input: PacingInput): number {
  const fraction = input.fraction ?? DEFAULT_PACING_FRACTION;
  const sameWindow =
    input.observed !== null &&
    Math.floor(input.observed.observedAtMs / WEIGHT_WINDOW_MS) === Math.floor(input.nowMs / WEIGHT_WINDOW_MS);
  const used = sameWindow && input.observed !== null ? input.observed.usedWeight : 0;
  const projected = used + input.inFlightWeight + input.requestWeight;
  if (projected <= input.weightLimitPerMinute * fraction) return 0;
  return nextWeightWindowMs(input.nowMs) - input.nowMs;
}
