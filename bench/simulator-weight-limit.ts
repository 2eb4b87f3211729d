/**
 * REQUEST_WEIGHT per minute of the benchmark's simulated exchange: high enough that every symbol's snapshot
 * goes through at once, since the live bench measures the client, not Binance's weight budget.
 */
export const SIMULATOR_WEIGHT_LIMIT = 10_000_000;
