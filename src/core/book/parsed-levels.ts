/**
 * Diff levels as numbers (ParsedLevels, events.ts): what the diff-depth scanner reads a message into,
 * so that neither it nor the book makes a string per price and quantity. A level is written this way only
 * when `toFixed(places)` gives its strings back (fixedPlaces, price-parse.ts); the strings are then
 * written on demand.
 */
import type { ParsedLevels, PriceLevel } from '../../events.js';

/** Entries per level: price, quantity, packed places. */
export const PARSED_LEVEL_STRIDE = 3;
/** `places = pricePlaces * PLACES_RADIX + qtyPlaces`; fixedPlaces never exceeds 100. */
export const PLACES_RADIX = 128;

/** Returns how many levels `values` holds. */
export function parsedLevelCount(values: ParsedLevels): number {
  return values.length / PARSED_LEVEL_STRIDE;
}

/** Returns the levels as `[price, qty]` strings exactly as they were sent. */
export function parsedLevelStrings(values: ParsedLevels): PriceLevel[] {
  const out: PriceLevel[] = [];
  for (let i = 0; i < values.length; i += PARSED_LEVEL_STRIDE) {
    const places = values[i + 2] as number;
    const pricePlaces = Math.floor(places / PLACES_RADIX);
    const qtyPlaces = places - pricePlaces * PLACES_RADIX;
    out.push([(values[i] as number).toFixed(pricePlaces), (values[i + 1] as number).toFixed(qtyPlaces)]);
  }
  return out;
}
