/**
 * Puts each subject's messages back in publish order and drops repeats, whatever the transport did to them
 * (a redelivery after a lost ack, a message lost on its way and redelivered after later ones, a repeat the
 * stream stored twice because it came after its duplicate window). Pure: time arrives as an argument.
 *
 * Every message names its predecessor (`prev`, see bus-envelope.ts), like a Binance diff's `U`/`u` chain:
 * - its id was delivered recently → a repeat: dropped;
 * - `prev` is null (a publisher's first message), or was delivered, or the subject is new to us → delivered
 *   now, then every held message waiting for it;
 * - otherwise its predecessor is still missing → held until the predecessor arrives, or for at most
 *   `holdMs`; then it is delivered with `gap: true` (the predecessor is presumed lost).
 * A predecessor arriving after its successor was released is delivered with `late: true`.
 */

/** One message: its id, its predecessor's id, and what the caller attaches to it. */
export interface SequencedItem<T> {
  readonly id: string;
  readonly prev: string | null;
  readonly value: T;
}

/** What the sequencer hands back, in the order to process it. */
export type SequencerOutput<T> =
  | {
      readonly kind: 'deliver';
      readonly item: SequencedItem<T>;
      /** Repeats of this item that arrived while it was held: settle them with it. */
      readonly repeats: readonly T[];
      /** Released after `holdMs` without its predecessor. */
      readonly gap: boolean;
      /** Its successor was delivered before it. */
      readonly late: boolean;
    }
  | { readonly kind: 'duplicate'; readonly item: SequencedItem<T> };

export interface SubjectSequencerOptions {
  /**
   * Longest wait for a missing predecessor, in ms.
   * @default 35000
   */
  readonly holdMs?: number;
  /**
   * Most messages held per subject; past it the oldest is released with `gap: true`.
   * @default 10000
   */
  readonly maxHeldPerSubject?: number;
  /**
   * Delivered ids remembered per subject to recognise repeats.
   * @default 1024
   */
  readonly recentIds?: number;
  /**
   * false: deliver at once in arrival order, only dropping repeats (several consumers sharing one
   * durable each see part of a subject, so there is no order to restore).
   * @default true
   */
  readonly ordered?: boolean;
}

interface Held<T> {
  readonly item: SequencedItem<T>;
  readonly sinceMs: number;
  readonly repeats: T[];
}

interface SubjectState<T> {
  /** Recently delivered ids, oldest first (a ring over `recentOrder`). */
  readonly recent: Set<string>;
  readonly recentOrder: string[];
  recentNext: number;
  /** Held messages by the id they wait for. */
  readonly waiting: Map<string, Held<T>[]>;
  /** Held messages by their own id, in arrival order. */
  readonly held: Map<string, Held<T>>;
  /** Ids released without their predecessor: that predecessor, when it comes, is late. */
  readonly skipped: Set<string>;
}

export class SubjectSequencer<T> {
  private readonly subjects = new Map<string, SubjectState<T>>();
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private readonly recentIds: number;
  private readonly ordered: boolean;
  private heldTotal = 0;

  constructor(o: SubjectSequencerOptions = {}) {
    this.holdMs = o.holdMs ?? 35_000;
    this.maxHeld = o.maxHeldPerSubject ?? 10_000;
    this.recentIds = Math.max(1, o.recentIds ?? 1024);
    this.ordered = o.ordered ?? true;
  }

  /** Messages held now, across subjects. */
  get heldCount(): number {
    return this.heldTotal;
  }

  /** Returns the earliest time (ms) at which `expire` would release something, or null when nothing is held. */
  nextDeadlineMs(): number | null {
    let earliest: number | null = null;
    for (const st of this.subjects.values()) {
      const first = st.held.values().next();
      if (!first.done && (earliest === null || first.value.sinceMs < earliest))
        earliest = first.value.sinceMs;
    }
    return earliest === null ? null : earliest + this.holdMs;
  }

  /** Takes one message of `subject` received at `nowMs`; returns what can be processed now, in order. */
  offer(subject: string, item: SequencedItem<T>, nowMs: number): SequencerOutput<T>[] {
    const out: SequencerOutput<T>[] = [];
    let st = this.subjects.get(subject);
    const fresh = st === undefined;
    if (st === undefined) {
      st = {
        recent: new Set(),
        recentOrder: [],
        recentNext: 0,
        waiting: new Map(),
        held: new Map(),
        skipped: new Set(),
      };
      this.subjects.set(subject, st);
    }
    if (st.recent.has(item.id)) {
      out.push({ kind: 'duplicate', item });
      return out;
    }
    const alreadyHeld = st.held.get(item.id);
    if (alreadyHeld !== undefined) {
      alreadyHeld.repeats.push(item.value);
      return out;
    }
    const ready = !this.ordered || fresh || item.prev === null || st.recent.has(item.prev);
    if (ready) {
      this.deliver(st, { item, sinceMs: nowMs, repeats: [] }, false, out);
      return out;
    }
    const held: Held<T> = { item, sinceMs: nowMs, repeats: [] };
    st.held.set(item.id, held);
    const list = st.waiting.get(item.prev as string);
    if (list === undefined) st.waiting.set(item.prev as string, [held]);
    else list.push(held);
    this.heldTotal++;
    if (st.held.size > this.maxHeld) this.releaseOldest(st, out);
    return out;
  }

  /** Returns every held message (with its repeats) and forgets them: the caller hands them back to the bus. */
  takeHeld(): T[] {
    const out: T[] = [];
    for (const st of this.subjects.values()) {
      for (const held of st.held.values()) out.push(held.item.value, ...held.repeats);
      st.held.clear();
      st.waiting.clear();
    }
    this.heldTotal = 0;
    return out;
  }

  /** Releases messages held for `holdMs` or longer at `nowMs` (each with `gap: true`), in order. */
  expire(nowMs: number): SequencerOutput<T>[] {
    const out: SequencerOutput<T>[] = [];
    for (const st of this.subjects.values()) {
      for (;;) {
        const first = st.held.values().next();
        if (first.done || nowMs - first.value.sinceMs < this.holdMs) break;
        this.releaseOldest(st, out);
      }
    }
    return out;
  }

  private releaseOldest(st: SubjectState<T>, out: SequencerOutput<T>[]): void {
    const first = st.held.values().next();
    if (first.done) return;
    const held = first.value;
    this.unhold(st, held);
    if (held.item.prev !== null) st.skipped.add(held.item.prev);
    this.deliver(st, held, true, out);
  }

  private unhold(st: SubjectState<T>, held: Held<T>): void {
    st.held.delete(held.item.id);
    this.heldTotal--;
    const prev = held.item.prev as string;
    const list = st.waiting.get(prev);
    if (list === undefined) return;
    const i = list.indexOf(held);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) st.waiting.delete(prev);
  }

  private deliver(st: SubjectState<T>, first: Held<T>, gap: boolean, out: SequencerOutput<T>[]): void {
    // Iterative cascade: delivering one message can free a long chain of held successors.
    const stack: { held: Held<T>; gap: boolean }[] = [{ held: first, gap }];
    while (stack.length > 0) {
      const { held, gap: isGap } = stack.pop() as { held: Held<T>; gap: boolean };
      const id = held.item.id;
      const late = st.skipped.delete(id);
      this.remember(st, id);
      out.push({ kind: 'deliver', item: held.item, repeats: held.repeats, gap: isGap, late });
      const successors = st.waiting.get(id);
      if (successors === undefined) continue;
      st.waiting.delete(id);
      // Several successors of one message (two publishers of one subject): keep their arrival order.
      for (let i = successors.length - 1; i >= 0; i--) {
        const next = successors[i] as Held<T>;
        st.held.delete(next.item.id);
        this.heldTotal--;
        stack.push({ held: next, gap: false });
      }
    }
  }

  private remember(st: SubjectState<T>, id: string): void {
    if (st.recentOrder.length < this.recentIds) {
      st.recentOrder.push(id);
    } else {
      const evicted = st.recentOrder[st.recentNext] as string;
      st.recent.delete(evicted);
      st.recentOrder[st.recentNext] = id;
      st.recentNext = (st.recentNext + 1) % this.recentIds;
    }
    st.recent.add(id);
    if (st.skipped.size > this.recentIds) st.skipped.clear();
  }
}
