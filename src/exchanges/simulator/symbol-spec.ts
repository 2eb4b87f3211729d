/**
 * What a simulated symbol looks like: its grid (tick size, lot size), where its price starts, how big
 * its orders are and how busy it is. Defaults mirror Binance's filters for the real symbols
 * (spot PRICE_FILTER / LOT_SIZE, USD-M futures tickSize / stepSize).
 */
import { ConfigError } from '../../errors.js';
import { UNIT_DECIMALS, decimalsOf, formatUnits, parseUnits } from './fixed-decimal.js';

/** One simulated symbol. Prices and sizes are decimal strings, as exchangeInfo writes them. */
export interface SymbolSpec {
  /** Upper-case Binance symbol, e.g. `BTCUSDT`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** PRICE_FILTER tickSize, e.g. `"0.01"`. On futures its decimals are the price precision (`"0.10"` → 2). */
  readonly tickSize: string;
  /** LOT_SIZE stepSize, e.g. `"0.00001"`. On futures its decimals are the quantity precision. */
  readonly stepSize: string;
  /** Starting mid price, e.g. `"61837.63"` (rounded to the tick). */
  readonly price: string;
  /** Typical (median) order size in the base asset, e.g. `"0.02"`. */
  readonly orderSize: string;
  /**
   * Multiplier on the market's events per second.
   * @default 1
   */
  readonly activity?: number;
}

/** A spec resolved to the integers the simulator works in. */
export interface ResolvedSymbol {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** 1e-8 units per tick / per lot. */
  readonly tickUnits: number;
  readonly stepUnits: number;
  /** Decimals written on the wire: 8 on spot, the tick/step precision on futures. */
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** tickSize / stepSize written with the wire decimals (exchangeInfo filters). */
  readonly tickSize: string;
  readonly stepSize: string;
  readonly startTicks: number;
  /** Median order size in lots (at least 1). */
  readonly orderLots: number;
  readonly activity: number;
}

/** Realistic spot symbols (filters as on Binance spot in 2024; 8-decimal strings on the wire). */
export const DEFAULT_SPOT_SYMBOLS: readonly SymbolSpec[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.00001',
    price: '61837.63',
    orderSize: '0.02',
    activity: 1,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.0001',
    price: '3401.27',
    orderSize: '0.4',
    activity: 0.8,
  },
  {
    symbol: 'SOLUSDT',
    baseAsset: 'SOL',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.001',
    price: '142.35',
    orderSize: '8',
    activity: 0.6,
  },
];

/** Realistic USD-M futures symbols (tick and step decimals are the wire precision). */
export const DEFAULT_FUTURES_SYMBOLS: readonly SymbolSpec[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: '0.10',
    stepSize: '0.001',
    price: '61837.60',
    orderSize: '0.05',
    activity: 1,
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.001',
    price: '3401.27',
    orderSize: '0.5',
    activity: 0.8,
  },
  {
    symbol: 'SOLUSDT',
    baseAsset: 'SOL',
    quoteAsset: 'USDT',
    tickSize: '0.0100',
    stepSize: '1',
    price: '142.3500',
    orderSize: '10',
    activity: 0.6,
  },
];

/** Returns the spec as exact integers; throws ConfigError for anything that is not a valid grid. */
export function resolveSymbol(spec: SymbolSpec, market: 'spot' | 'futures'): ResolvedSymbol {
  const what = `symbols.${spec.symbol}`;
  if (!/^[A-Z0-9]{2,20}$/.test(spec.symbol)) {
    throw new ConfigError(`${what}: symbol must be 2-20 upper-case letters or digits`, 'symbols');
  }
  const tickUnits = parseUnits(spec.tickSize, `${what}.tickSize`);
  const stepUnits = parseUnits(spec.stepSize, `${what}.stepSize`);
  if (tickUnits <= 0 || stepUnits <= 0)
    throw new ConfigError(`${what}: tick and step sizes must be > 0`, 'symbols');
  const priceDecimals = market === 'spot' ? UNIT_DECIMALS : decimalsOf(spec.tickSize);
  const qtyDecimals = market === 'spot' ? UNIT_DECIMALS : decimalsOf(spec.stepSize);
  const startTicks = Math.round(parseUnits(spec.price, `${what}.price`) / tickUnits);
  const orderLots = Math.max(1, Math.round(parseUnits(spec.orderSize, `${what}.orderSize`) / stepUnits));
  const activity = spec.activity ?? 1;
  if (!(activity > 0) || !Number.isFinite(activity))
    throw new ConfigError(`${what}: activity must be > 0`, 'symbols');
  // A few thousand ticks of room below the start keep the walk away from zero for any realistic run.
  if (startTicks < 1000) throw new ConfigError(`${what}: price must be at least 1000 ticks`, 'symbols');
  return {
    symbol: spec.symbol,
    baseAsset: spec.baseAsset,
    quoteAsset: spec.quoteAsset,
    tickUnits,
    stepUnits,
    priceDecimals,
    qtyDecimals,
    tickSize: formatUnits(tickUnits, priceDecimals),
    stepSize: formatUnits(stepUnits, qtyDecimals),
    startTicks,
    orderLots,
    activity,
  };
}
