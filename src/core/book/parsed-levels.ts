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

/** Returns a level's third entry: both places in one number. */
export function packPlaces(pricePlaces: number, qtyPlaces: number): number {
  return pricePlaces * PLACES_RADIX + qtyPlaces;
}

/** Returns the price's places from a level's packed places. */
export function pricePlacesOf(packed: number): number {
  return (packed / PLACES_RADIX) | 0;
}

/** Returns the quantity's places from a level's packed places. */
export function qtyPlacesOf(packed: number): number {
  return packed % PLACES_RADIX;
}

/** Returns how many levels `values` holds. */
export function parsedLevelCount(values: ParsedLevels): number {
  return values.length / PARSED_LEVEL_STRIDE;
}

/** Returns the levels as `[price, qty]` strings exactly as they were sent. */
export function parsedLevelStrings(values: ParsedLevels): PriceLevel[] {
  const out: PriceLevel[] = [];
  for (let i = 0; i < values.length; i += PARSED_LEVEL_STRIDE) {
    const places = values[i + 2] as number;
    out.push([
      (values[i] as number).toFixed(pricePlacesOf(places)),
      (values[i + 1] as number).toFixed(qtyPlacesOf(places)),
    ]);
  }
  return out;
}
