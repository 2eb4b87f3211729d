/**
 * Fault injection for the simulated exchange, controllable per test (named methods) or from text
 * (`faults.load('rest-5xx:0.1,ws-gap:0.01')`, see fault-rule.ts for the grammar).
 *
 * Two modes per rule: one-shot (`count`: the next N eligible occurrences, then the rule retires) and
 * probabilistic (`probability`: every eligible occurrence, from a seeded PRNG, until cleared).
 * Eligible occurrences: `rest-*` → requests to the rule's endpoint (default `depth`; `rest-crossed`
 * only ever depth); `ws-gap`, `ws-duplicate`, `ws-reorder` → diff-depth events (per connection);
 * `ws-drop`, `ws-delay`, `ws-malformed` → any outgoing data message (depth, partial depth, trades).
 * A `symbol` narrows a rule to that symbol's messages / requests.
 */
import { parseFaultSpec, validateFaultRule, type FaultKind, type FaultRule } from './fault-rule.js';
import { Prng } from './prng.js';

/** How often a helper's fault fires: the next `count` (default 1), or with `probability`; optionally one symbol. */
export interface FaultTrigger {
  readonly count?: number;
  readonly probability?: number;
  readonly symbol?: string;
}

/** What the server lets the fault controller do immediately. */
export interface FaultActions {
  /** Terminates every websocket connection; returns how many. */
  dropConnections(): number;
  /** Sends `{"e":"serverShutdown","E":…}` to every websocket connection; returns how many. */
  sendServerShutdown(): number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

function matches(rule: FaultRule, symbol: string | undefined, endpoint: string | undefined): boolean {
  if (rule.symbol !== undefined && rule.symbol !== symbol) return false;
  if (endpoint !== undefined) {
    const want = rule.endpoint ?? 'depth';
    if (want !== '*' && !endpoint.endsWith(want)) return false;
  }
  return true;
}

export class Faults {
  private rules: ActiveRule[] = [];
  private readonly prng: Prng;
  private readonly firedCounts = new Map<FaultKind, number>();
  private actions: FaultActions | undefined;

  /** Returns a controller whose probabilistic faults draw from `seed`. */
  constructor(seed: number) {
    this.prng = new Prng(seed ^ 0x5eed_fa17);
  }

  /** Connects the immediate actions (the server does this). */
  bind(actions: FaultActions): void {
    this.actions = actions;
  }

  /** Adds rules (objects, or a text/JSON spec). Returns this, for chaining. */
  add(...rules: ReadonlyArray<FaultRule | string>): this {
    for (const r of rules) {
      const list = typeof r === 'string' ? parseFaultSpec(r) : [validateFaultRule(r)];
      for (const rule of list) {
        this.rules.push({
          rule,
          remaining: rule.probability === undefined ? (rule.count ?? 1) : Number.POSITIVE_INFINITY,
        });
      }
    }
    return this;
  }

  /** Replaces every rule with those of a text/JSON spec (e.g. from the CLI). Returns this. */
  load(spec: string): this {
    this.clear();
    return this.add(spec);
  }

  /** Removes every rule (or only those of one kind). */
  clear(kind?: FaultKind): void {
    this.rules = kind === undefined ? [] : this.rules.filter((r) => r.rule.kind !== kind);
  }

  /** Returns the rules still armed. */
  active(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** Returns how many times faults of `kind` have fired since the start. */
  fired(kind: FaultKind): number {
    return this.firedCounts.get(kind) ?? 0;
  }

  /**
   * For the server: returns the rule of `kind` that fires on this occurrence, if any (consuming one
   * shot of a one-shot rule). `endpoint` is the REST path for `rest-*` kinds.
   */
  take(kind: FaultKind, symbol?: string, endpoint?: string): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    for (let i = 0; i < this.rules.length; i++) {
      const active = this.rules[i] as ActiveRule;
      const { rule } = active;
      if (rule.kind !== kind || !matches(rule, symbol, endpoint)) continue;
      if (rule.probability !== undefined) {
        if (!this.prng.chance(rule.probability)) continue;
      } else if (--active.remaining <= 0) {
        this.rules.splice(i, 1);
      }
      this.firedCounts.set(kind, this.fired(kind) + 1);
      return rule;
    }
    return undefined;
  }

  // Immediate actions.

  /** Terminates every open websocket connection now (no close frame). Returns how many. */
  dropConnections(): number {
    return this.actions?.dropConnections() ?? 0;
  }

  /** Sends `{"e":"serverShutdown","E":…}` on every open websocket connection now. Returns how many. */
  serverShutdown(): number {
    return this.actions?.sendServerShutdown() ?? 0;
  }

  // Websocket faults.

  /** Terminates connections instead of sending their next data message(s). */
  dropWs(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'ws-drop', ...trigger });
  }

  /** Skips diff-depth event(s): a sequence gap the client must detect and resync from. */
  gap(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'ws-gap', ...trigger });
  }

  /** Sends diff-depth event(s) twice. */
  duplicate(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'ws-duplicate', ...trigger });
  }

  /** Sends diff-depth event(s) after the next data message instead of before it. */
  reorder(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'ws-reorder', ...trigger });
  }

  /** Stalls a connection's outgoing messages for `delayMs` (order kept). */
  delayWs(delayMs: number, trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'ws-delay', delayMs, ...trigger });
  }

  /** Sends message(s) with truncated JSON. */
  malformedWs(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'ws-malformed', ...trigger });
  }

  // REST faults (default endpoint: depth; pass `endpoint: '*'` via add() for all).

  /** Delays REST answer(s) by `delayMs`. */
  slowRest(delayMs: number, trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-slow', delayMs, ...trigger });
  }

  /** Never answers REST request(s). */
  hangRest(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-hang', ...trigger });
  }

  /** Answers REST request(s) with a 5xx. */
  serverError(status = 503, trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-5xx', status, ...trigger });
  }

  /** Answers REST request(s) 429 with `Retry-After: retryAfterS`, whatever the weight budget says. */
  tooManyRequests(retryAfterS = 1, trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-429', retryAfterS, ...trigger });
  }

  /** Answers REST request(s) 418 (banned) with `Retry-After: retryAfterS`. */
  ban(retryAfterS = 2, trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-418', retryAfterS, ...trigger });
  }

  /** Answers REST request(s) 200 with truncated JSON. */
  malformedRest(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-malformed', ...trigger });
  }

  /** Answers depth snapshot(s) with a crossed book (best bid above best ask). */
  crossedSnapshot(trigger: FaultTrigger = {}): this {
    return this.add({ kind: 'rest-crossed', ...trigger });
  }
}
