/**
 * The body of every bus message: one JSON object (UTF-8) holding one feature row or one normalised event,
 * with what a consumer needs to put it back in order and drop repeats:
 * - `id`: the message id (also sent as `Nats-Msg-Id`, see message-id.ts);
 * - `prev`: the id of the previous message of the same subject from the same publisher, or null for the
 *   first one it sends. A consumer holding `prev` knows nothing is missing in between (subject-sequencer.ts).
 *
 * Rows keep their column order (object key order) and survive exactly: JSON has no NaN or ±Infinity, so
 * such cells are written as null and listed by name in `nonFinite`, and come back as the same numbers.
 */
import type { MarketEvent } from '../events.js';
import { ParseError } from '../errors.js';
import type { Row, RowValue } from '../io/sinks/row-sink.js';
import type { BusVenue } from './bus-subject.js';

/** Bumped when a field changes meaning; consumers refuse versions they do not know. */
export const ENVELOPE_VERSION = 1;

type NonFinite = 'NaN' | 'Infinity' | '-Infinity';

interface EnvelopeHead extends BusVenue {
  readonly symbol: string;
  readonly id: string;
  readonly prev: string | null;
}

/** A decoded row message. */
export interface RowEnvelope extends EnvelopeHead {
  readonly kind: 'rows';
  /** Column → value, in the publisher's column order. */
  readonly row: Row;
}

/** A decoded event message. */
export interface EventEnvelope extends EnvelopeHead {
  readonly kind: 'events';
  readonly event: MarketEvent;
}

export type BusEnvelope = RowEnvelope | EventEnvelope;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Returns the message body of a row: cells in `columns` order, a missing cell as null. */
export function encodeRowEnvelope(
  head: Omit<RowEnvelope, 'kind' | 'row'>,
  row: Row,
  columns: readonly string[],
): Uint8Array {
  const cells: Record<string, RowValue> = {};
  let nonFinite: Record<string, NonFinite> | undefined;
  for (const name of columns) {
    const value = row[name];
    if (typeof value === 'number' && !Number.isFinite(value)) {
      cells[name] = null;
      nonFinite ??= {};
      nonFinite[name] = Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    } else {
      cells[name] = value ?? null;
    }
  }
  return encoder.encode(
    JSON.stringify({
      v: ENVELOPE_VERSION,
      kind: 'rows',
      exchange: head.exchange,
      market: head.market,
      symbol: head.symbol,
      id: head.id,
      prev: head.prev,
      row: cells,
      ...(nonFinite !== undefined ? { nonFinite } : {}),
    }),
  );
}

/** Returns the message body of an event (events hold only finite numbers, strings and nulls). */
export function encodeEventEnvelope(
  head: Omit<EventEnvelope, 'kind' | 'event'>,
  event: MarketEvent,
): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      v: ENVELOPE_VERSION,
      kind: 'events',
      exchange: head.exchange,
      market: head.market,
      symbol: head.symbol,
      id: head.id,
      prev: head.prev,
      event,
    }),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NON_FINITE: Readonly<Record<NonFinite, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * Returns the envelope in `data`. Throws a ParseError (source = `subject`) when it is not valid JSON, not
 * an obi envelope, or of a version this obi does not know.
 */
export function decodeEnvelope(data: Uint8Array, subject: string): BusEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new ParseError(`subject=${subject}: message is not JSON`, subject, undefined, { cause: error });
  }
  const fail = (why: string): never => {
    throw new ParseError(`subject=${subject}: not an obi bus message (${why})`, subject);
  };
  if (!isRecord(value)) return fail('not an object');
  if (value['v'] !== ENVELOPE_VERSION) return fail(`envelope version ${String(value['v'])}`);
  const { exchange, market, symbol, id, prev, kind } = value;
  if (typeof exchange !== 'string' || typeof market !== 'string' || typeof symbol !== 'string') {
    return fail('exchange/market/symbol');
  }
  if (typeof id !== 'string' || (prev !== null && typeof prev !== 'string')) return fail('id/prev');
  const head = { exchange, market, symbol, id, prev };
  if (kind === 'rows') {
    const cells = value['row'];
    if (!isRecord(cells)) return fail('row');
    const row: Record<string, RowValue> = {};
    for (const [name, cell] of Object.entries(cells)) {
      if (
        cell !== null &&
        typeof cell !== 'number' &&
        typeof cell !== 'string' &&
        typeof cell !== 'boolean'
      ) {
        return fail(`cell ${name}`);
      }
      row[name] = cell;
    }
    const nonFinite = value['nonFinite'];
    if (isRecord(nonFinite)) {
      for (const [name, what] of Object.entries(nonFinite)) {
        const n = NON_FINITE[what as NonFinite];
        if (n === undefined || !(name in row)) return fail(`nonFinite ${name}`);
        row[name] = n;
      }
    }
    return { kind, ...head, row };
  }
  if (kind === 'events') {
    const event = value['event'];
    if (!isRecord(event) || typeof event['type'] !== 'string' || event['symbol'] !== symbol) {
      return fail('event');
    }
    return { kind, ...head, event: event as unknown as MarketEvent };
  }
  return fail(`kind ${String(kind)}`);
}
