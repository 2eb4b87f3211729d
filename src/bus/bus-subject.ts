/**
 * Subject names on the bus: `obi.<exchange>.<market>.<symbol>.<kind>`, one subject per symbol and kind, so
 * a consumer picks symbols with subject filters and JetStream keeps each symbol's messages in order.
 * NATS subject tokens are separated by `.` and may not contain `*`, `>` or whitespace (NATS docs,
 * "Subject-Based Messaging"); obi's exchange names and Binance symbols never do, and we check it.
 */
import { ConfigError } from '../errors.js';

/** What a subject carries: feature rows, or the normalised book events they are computed from. */
export type BusKind = 'rows' | 'events';

/** The first token of every obi subject (the URL's `prefix` changes it). */
export const SUBJECT_ROOT = 'obi';

/** Which venue and market a subject belongs to. */
export interface BusVenue {
  readonly exchange: string;
  readonly market: string;
}

/** The parts of an obi subject. */
export interface BusSubjectParts extends BusVenue {
  readonly symbol: string;
  readonly kind: BusKind;
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

function checkToken(value: string, what: string): string {
  if (!TOKEN.test(value)) {
    throw new ConfigError(
      `${what} "${value}" cannot be part of a NATS subject (letters, digits, _ and - only)`,
      what,
    );
  }
  return value;
}

/**
 * Returns `<root>.<exchange>.<market>.<symbol>.<kind>` (root `obi` unless the URL's `prefix` says
 * otherwise); throws ConfigError for a token NATS would misread.
 */
export function busSubject(parts: BusSubjectParts, root = SUBJECT_ROOT): string {
  return [
    checkToken(root, 'prefix'),
    checkToken(parts.exchange, 'exchange'),
    checkToken(parts.market, 'market'),
    checkToken(parts.symbol, 'symbol'),
    parts.kind,
  ].join('.');
}

/** Returns the filter matching every symbol of one venue and kind: `<root>.<exchange>.<market>.*.<kind>`. */
export function busSubjectFilter(venue: BusVenue, kind: BusKind, root = SUBJECT_ROOT): string {
  return [
    checkToken(root, 'prefix'),
    checkToken(venue.exchange, 'exchange'),
    checkToken(venue.market, 'market'),
    '*',
    kind,
  ].join('.');
}

/** Returns the parts of an obi subject, or null when `subject` is not one. */
export function parseBusSubject(subject: string, root = SUBJECT_ROOT): BusSubjectParts | null {
  const t = subject.split('.');
  if (t.length !== 5 || t[0] !== root) return null;
  const [, exchange, market, symbol, kind] = t as [string, string, string, string, string];
  if (kind !== 'rows' && kind !== 'events') return null;
  if (![exchange, market, symbol].every((x) => TOKEN.test(x))) return null;
  return { exchange, market, symbol, kind };
}
