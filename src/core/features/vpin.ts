/**
 * VPIN, the volume-synchronised probability of informed trading (Easley, López de Prado & O'Hara 2012,
 * "Flow Toxicity and Liquidity in a High-frequency World", Review of Financial Studies 25(5), 1457–1493):
 * 1. trades are aggregated into time bars of `barSec` (bars without trades are skipped);
 * 2. bulk volume classification (BVC, §2.2 of the paper): a bar's volume V_i is split into buys
 *    V_i · Φ(ΔP_i / σ_ΔP) and sells the rest, ΔP_i the change of the last trade price from the previous
 *    non-empty bar, σ_ΔP the standard deviation of those changes so far (causal; the paper uses the
 *    sample's), Φ the standard normal CDF;
 * 3. the classified volume fills equal-volume buckets of size V (a bar may spill over several buckets);
 * 4. VPIN = Σ_{last n buckets} |V^S_τ − V^B_τ| / (n V), NaN until n buckets are full.
 * The paper sizes V as a fiftieth of the average daily volume; here V is given, or calibrated once from the
 * first 50 non-empty bars (10 times their mean volume), so a run needs no prior statistics. Memory: n
 * bucket imbalances plus at most 50 bars held during calibration.
 */
import { ConfigError } from '../../errors.js';
import { RunningMoments } from '../stats/running-moments.js';

/** More buckets than this from one bar means a mis-sized bucket: the bar is skipped rather than looped over. */
const MAX_BUCKETS_PER_BAR = 1_000_000;

/** Options of {@link Vpin}. */
export interface VpinOptions {
  /**
   * Length of the BVC time bars in seconds.
   * @default 1
   */
  readonly barSec?: number;
  /**
   * Volume per bucket (base asset units), or null to calibrate it from the first 50 non-empty bars.
   * @default null
   */
  readonly bucketVolume?: number | null;
  /**
   * Buckets n in the VPIN average (the paper's n = 50).
   * @default 50
   */
  readonly buckets?: number;
}

/** Non-empty bars whose volume sets an automatic bucket size. */
const CALIBRATION_BARS = 50;
/** An automatic bucket holds this many calibration bars' mean volume. */
const BARS_PER_BUCKET = 10;

/**
 * Returns the buy share Φ(ΔP / σ) of a bar's volume under bulk volume classification; with σ zero or
 * unknown, the limit: 1 for a rise, 0 for a fall, 1/2 for no change.
 */
export function bulkBuyFraction(priceChange: number, sigma: number): number {
  if (!Number.isFinite(priceChange)) return 0.5;
  if (!(sigma > 0)) return priceChange > 0 ? 1 : priceChange < 0 ? 0 : 0.5;
  return standardNormalCdf(priceChange / sigma);
}

/**
 * Φ(x) = erfc(−x/√2) / 2 with the Chebyshev fit of erfc from Press et al., Numerical Recipes (3rd ed.,
 * §6.2.2, `erfccheb`'s short form `erfcc`): fractional error below 1.2e-7 everywhere, ample for splitting volume.
 */
function standardNormalCdf(x: number): number {
  const u = -x / Math.SQRT2;
  const z = Math.abs(u);
  const t = 1 / (1 + 0.5 * z);
  // Horner's scheme over the Chebyshev coefficients, highest power first.
  let poly = 0;
  for (const c of ERFC_COEFFICIENTS) poly = poly * t + c;
  const r = t * Math.exp(-z * z + poly);
  const erfc = u >= 0 ? r : 2 - r;
  return 0.5 * erfc;
}

/** erfcc: exponent −z² − 1.26551223 + t(1.00002368 + t(0.37409196 + …)), highest power of t first. */
const ERFC_COEFFICIENTS = [
  0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
  1.00002368, -1.26551223,
] as const;

export class Vpin {
  readonly barMs: number;
  readonly buckets: number;
  private bucketSize: number;
  private readonly priceChanges = new RunningMoments();
  // The open bar.
  private barIndex = Number.NaN;
  private barVolume = 0;
  private barLastPrice = Number.NaN;
  private previousBarPrice = Number.NaN;
  // Bars waiting for the automatic bucket size.
  private readonly calibration: { volume: number; change: number }[] = [];
  // The filling bucket and the last n full buckets' |V_S − V_B|.
  private fillBuy = 0;
  private fillSell = 0;
  private readonly imbalances: Float64Array;
  private filled = 0;
  private nextSlot = 0;
  private current = Number.NaN;

  constructor(options: VpinOptions = {}) {
    const barSec = options.barSec ?? 1;
    if (!(barSec > 0) || !Number.isFinite(barSec)) {
      throw new ConfigError(`--vpin-bar ${barSec}: must be a number of seconds > 0`, 'vpin-bar');
    }
    const buckets = options.buckets ?? 50;
    if (!Number.isSafeInteger(buckets) || buckets < 1) {
      throw new ConfigError(`--vpin-buckets ${buckets}: must be a whole number >= 1`, 'vpin-buckets');
    }
    const size = options.bucketVolume ?? null;
    if (size !== null && !(size > 0 && Number.isFinite(size))) {
      throw new ConfigError(`--vpin-bucket-volume ${size}: must be > 0`, 'vpin-bucket-volume');
    }
    this.barMs = barSec * 1000;
    this.buckets = buckets;
    this.bucketSize = size ?? Number.NaN;
    this.imbalances = new Float64Array(buckets);
  }

  /** Adds one trade (time non-decreasing; an earlier time counts in the open bar). */
  add(timeMs: number, price: number, qty: number): void {
    if (!(qty > 0) || !Number.isFinite(qty) || !(price > 0)) return;
    this.advance(timeMs);
    if (Number.isNaN(this.barIndex)) this.barIndex = Math.floor(timeMs / this.barMs);
    this.barVolume += qty;
    this.barLastPrice = price;
  }

  /** Closes the open bar once `timeMs` is past its end (call at each sample time). */
  advance(timeMs: number): void {
    if (Number.isNaN(this.barIndex)) return;
    if (Math.floor(timeMs / this.barMs) > this.barIndex) this.closeBar();
  }

  /** Returns VPIN over the last n full buckets, NaN until n are full. */
  get value(): number {
    return this.current;
  }

  /** Buckets completed so far. */
  get completedBuckets(): number {
    return this.filled;
  }

  /** The bucket volume V in use (NaN while calibrating). */
  get bucketVolume(): number {
    return this.bucketSize;
  }

  private closeBar(): void {
    const volume = this.barVolume;
    const change = this.barLastPrice - this.previousBarPrice;
    this.previousBarPrice = this.barLastPrice;
    this.barIndex = Number.NaN;
    this.barVolume = 0;
    if (Number.isFinite(change)) this.priceChanges.update(change);
    if (Number.isNaN(this.bucketSize)) {
      this.calibration.push({ volume, change });
      if (this.calibration.length < CALIBRATION_BARS) return;
      let total = 0;
      for (const bar of this.calibration) total += bar.volume;
      this.bucketSize = (total / this.calibration.length) * BARS_PER_BUCKET;
      for (const bar of this.calibration) this.pour(bar.volume, bar.change);
      this.calibration.length = 0;
      return;
    }
    this.pour(volume, change);
  }

  private pour(volume: number, change: number): void {
    // A bucket of no volume (a calibration that saw only zero-quantity trades) could never fill: without this
    // guard the loop below would never end. Likewise a volume too large to be reduced by one bucket.
    if (!(this.bucketSize > 0) || !Number.isFinite(volume) || volume / this.bucketSize > MAX_BUCKETS_PER_BAR)
      return;
    const f = bulkBuyFraction(change, this.priceChanges.std);
    let left = volume;
    while (left > 0) {
      const room = this.bucketSize - (this.fillBuy + this.fillSell);
      const take = Math.min(room, left);
      this.fillBuy += take * f;
      this.fillSell += take * (1 - f);
      left -= take;
      // A relative tolerance, so rounding in the sums never leaves a bucket a hair short of full.
      if (this.fillBuy + this.fillSell >= this.bucketSize * (1 - 1e-12)) this.completeBucket();
    }
  }

  private completeBucket(): void {
    this.imbalances[this.nextSlot] = Math.abs(this.fillSell - this.fillBuy);
    this.nextSlot = (this.nextSlot + 1) % this.buckets;
    this.filled++;
    this.fillBuy = 0;
    this.fillSell = 0;
    if (this.filled >= this.buckets) {
      let sum = 0;
      for (let i = 0; i < this.buckets; i++) sum += this.imbalances[i]!;
      this.current = sum / (this.buckets * this.bucketSize);
    }
  }
}
