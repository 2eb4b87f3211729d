/**
 * The vocabulary of injectable faults and their textual form, so a test, the CLI
 * (`--faults rest-5xx:0.1,ws-gap:0.01`) and a JSON file all describe faults the same way.
 *
 * Text form: items separated by commas; each item is `kind` followed by `:`-separated tokens:
 * - `0.1` (a number) → fire with that probability on every eligible occurrence (seeded);
 * - `3x` → fire on the next 3 eligible occurrences, then retire (a bare `kind` means `1x`);
 * - `key=value` → an option: `symbol=BTCUSDT`, `ms=1500` (delay), `status=502`, `retryAfter=2` (s),
 *   `endpoint=depth` (REST path suffix, `*` for every endpoint).
 * Example: `rest-5xx:0.1:status=502,ws-gap:2x:symbol=BTCUSDT,rest-slow:0.2:ms=1500`.
 * JSON form: a FaultRule object or an array of them.
 */
import { ConfigError } from '../../errors.js';

/** What can go wrong. `ws-*` act on outgoing websocket data messages, `rest-*` on REST requests. */
export const FAULT_KINDS = [
  /** Terminate the connection (no close frame) instead of sending the message. */
  'ws-drop',
  /** Do not send this diff-depth event: the client sees `U` jump past `prev u + 1` (spot) or `pu ≠ prev u`. */
  'ws-gap',
  /** Send this diff-depth event twice. */
  'ws-duplicate',
  /** Hold this diff-depth event back and send it after the connection's next data message. */
  'ws-reorder',
  /** Stall the connection's outgoing queue for `delayMs` (this message and all after it wait, in order). */
  'ws-delay',
  /** Send this message's JSON cut in half. */
  'ws-malformed',
  /** Answer after `delayMs`. */
  'rest-slow',
  /** Never answer (the socket stays open until the client gives up or the server closes). */
  'rest-hang',
  /** Answer with a 5xx (`status`, default 503). */
  'rest-5xx',
  /** Answer 429 (-1003) with Retry-After `retryAfterS` (default 1) regardless of the weight budget. */
  'rest-429',
  /** Answer 418 (IP banned) with Retry-After `retryAfterS` (default 2). */
  'rest-418',
  /** Answer 200 with the JSON body cut in half. */
  'rest-malformed',
  /** Answer a depth snapshot whose best bid is above its best ask. */
  'rest-crossed',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault: what, how often, and its parameters. */
export interface FaultRule {
  readonly kind: FaultKind;
  /** Fire on each eligible occurrence with this probability (seeded). Excludes `count`. */
  readonly probability?: number;
  /**
   * Fire on the next `count` eligible occurrences, then retire.
   * @default 1 (when `probability` is absent)
   */
  readonly count?: number;
  /** Only for this symbol (upper-case). */
  readonly symbol?: string;
  /**
   * REST only: the path suffix the fault applies to (`depth`, `exchangeInfo`, …) or `*` for every endpoint.
   * @default 'depth'
   */
  readonly endpoint?: string;
  /**
   * `rest-slow`, `ws-delay`: how long.
   * @default 2000
   */
  readonly delayMs?: number;
  /**
   * `rest-5xx`: the status.
   * @default 503
   */
  readonly status?: number;
  /** `rest-429`, `rest-418`: the Retry-After seconds (defaults 1 and 2). */
  readonly retryAfterS?: number;
}

function isKind(v: unknown): v is FaultKind {
  return typeof v === 'string' && (FAULT_KINDS as readonly string[]).includes(v);
}

/** Returns the rule checked for consistency; throws ConfigError naming what is wrong. */
export function validateFaultRule(rule: FaultRule): FaultRule {
  const bad = (why: string): never => {
    throw new ConfigError(`fault ${JSON.stringify(rule)}: ${why}`, 'faults');
  };
  if (!isKind(rule.kind)) bad(`unknown kind; expected one of ${FAULT_KINDS.join(', ')}`);
  if (rule.probability !== undefined && rule.count !== undefined)
    bad('give either probability or count, not both');
  if (rule.probability !== undefined && !(rule.probability > 0 && rule.probability <= 1))
    bad('probability must be in (0, 1]');
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count >= 1))
    bad('count must be an integer ≥ 1');
  if (rule.delayMs !== undefined && !(rule.delayMs >= 0 && Number.isFinite(rule.delayMs)))
    bad('delayMs must be ≥ 0');
  if (
    rule.status !== undefined &&
    !(Number.isInteger(rule.status) && rule.status >= 500 && rule.status <= 599)
  ) {
    bad('status must be a 5xx code');
  }
  if (rule.retryAfterS !== undefined && !(Number.isInteger(rule.retryAfterS) && rule.retryAfterS >= 0)) {
    bad('retryAfterS must be an integer ≥ 0');
  }
  return rule;
}

function parseItem(item: string): FaultRule {
  const [kind, ...tokens] = item.split(':').map((t) => t.trim());
  if (!isKind(kind)) {
    throw new ConfigError(
      `fault "${item}": unknown kind "${kind ?? ''}"; expected one of ${FAULT_KINDS.join(', ')}`,
      'faults',
    );
  }
  const rule: { -readonly [K in keyof FaultRule]: FaultRule[K] } = { kind };
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const num = (v: string): number => {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n))
        throw new ConfigError(`fault "${item}": "${v}" is not a number`, 'faults');
      return n;
    };
    if (eq > 0) {
      const key = token.slice(0, eq);
      const value = token.slice(eq + 1);
      if (key === 'symbol') rule.symbol = value.toUpperCase();
      else if (key === 'endpoint') rule.endpoint = value;
      else if (key === 'ms' || key === 'delayMs') rule.delayMs = num(value);
      else if (key === 'status') rule.status = num(value);
      else if (key === 'retryAfter' || key === 'retryAfterS') rule.retryAfterS = num(value);
      else throw new ConfigError(`fault "${item}": unknown option "${key}"`, 'faults');
    } else if (/^\d+x$/.test(token)) {
      rule.count = num(token.slice(0, -1));
    } else {
      rule.probability = num(token);
    }
  }
  return validateFaultRule(rule);
}

/** Returns the rules a text or JSON fault spec describes; throws ConfigError on anything malformed. */
export function parseFaultSpec(spec: string): FaultRule[] {
  const text = spec.trim();
  if (text === '') return [];
  if (text.startsWith('[') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`fault spec is not valid JSON: ${(cause as Error).message}`, 'faults');
    }
    const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
    return list.map((r) => {
      if (typeof r !== 'object' || r === null)
        throw new ConfigError('fault spec: every rule must be an object', 'faults');
      return validateFaultRule(r as FaultRule);
    });
  }
  return text.split(',').map((item) => parseItem(item.trim()));
}
