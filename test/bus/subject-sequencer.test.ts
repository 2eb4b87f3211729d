import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SubjectSequencer,
  type SequencedItem,
  type SequencerOutput,
} from '../../src/bus/subject-sequencer.js';

/** A chain of n messages of one publisher: id i, prev i-1 (the first has none). */
const chain = (n: number, tag = ''): SequencedItem<string>[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${tag}${i}`,
    prev: i === 0 ? null : `${tag}${i - 1}`,
    value: `${tag}${i}`,
  }));

const delivered = (outs: readonly SequencerOutput<string>[]): string[] =>
  outs.flatMap((o) => (o.kind === 'deliver' ? [o.item.id] : []));

describe('SubjectSequencer', () => {
  it('delivers in order at once when messages come in order, and drops repeats', () => {
    const seq = new SubjectSequencer<string>();
    const [a, b, c] = chain(3);
    expect(delivered(seq.offer('s', a!, 0))).toEqual(['0']);
    expect(delivered(seq.offer('s', b!, 0))).toEqual(['1']);
    expect(seq.offer('s', b!, 0)).toEqual([{ kind: 'duplicate', item: b }]);
    expect(delivered(seq.offer('s', c!, 0))).toEqual(['2']);
  });

  it('holds a message whose predecessor is missing, then releases the chain when it comes', () => {
    const seq = new SubjectSequencer<string>();
    const items = chain(4);
    seq.offer('s', items[0]!, 0);
    expect(seq.offer('s', items[2]!, 1)).toEqual([]);
    expect(seq.offer('s', items[3]!, 2)).toEqual([]);
    // A repeat of a held message is settled with it, not delivered twice.
    expect(seq.offer('s', items[3]!, 2)).toEqual([]);
    expect(seq.heldCount).toBe(2);
    const outs = seq.offer('s', items[1]!, 3);
    expect(delivered(outs)).toEqual(['1', '2', '3']);
    expect(outs[2]).toMatchObject({ kind: 'deliver', repeats: ['3'], gap: false });
    expect(seq.heldCount).toBe(0);
  });

  it('releases a held message after holdMs as a gap, and its predecessor arriving later as late', () => {
    const seq = new SubjectSequencer<string>({ holdMs: 100 });
    const items = chain(4);
    seq.offer('s', items[0]!, 0);
    seq.offer('s', items[2]!, 10);
    seq.offer('s', items[3]!, 20);
    expect(seq.nextDeadlineMs()).toBe(110);
    expect(seq.expire(109)).toEqual([]);
    const outs = seq.expire(110);
    expect(outs.map((o) => (o.kind === 'deliver' ? [o.item.id, o.gap] : []))).toEqual([
      ['2', true],
      ['3', false],
    ]);
    const late = seq.offer('s', items[1]!, 200);
    expect(late).toMatchObject([{ kind: 'deliver', late: true }]);
  });

  it('subjects are independent, and the first message of a subject is taken whatever its prev', () => {
    const seq = new SubjectSequencer<string>();
    expect(delivered(seq.offer('a', { id: 'x5', prev: 'x4', value: 'x5' }, 0))).toEqual(['x5']);
    expect(seq.offer('b', { id: 'x5', prev: 'x4', value: 'x5' }, 0)).toMatchObject([{ kind: 'deliver' }]);
  });

  it('unordered: delivers in arrival order and only drops repeats', () => {
    const seq = new SubjectSequencer<string>({ ordered: false });
    const items = chain(3);
    expect(
      delivered([
        ...seq.offer('s', items[0]!, 0),
        ...seq.offer('s', items[2]!, 0),
        ...seq.offer('s', items[2]!, 0),
      ]),
    ).toEqual(['0', '2']);
  });

  it('property: any redelivery pattern within the hold time yields each message once, in publish order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (n, swaps, repeats) => {
          const items = chain(n);
          // Arrival: the chain with some positions swapped (lost then redelivered later) and some repeats.
          const arrival = [...items];
          for (const [i, j] of swaps) {
            const a = i % n;
            const b = j % n;
            [arrival[a], arrival[b]] = [arrival[b]!, arrival[a]!];
          }
          for (const r of repeats) arrival.splice(r % (arrival.length + 1), 0, items[r % n]!);
          // The first arrival must be the chain's first message for "subject new to us" not to apply
          // to a later one (a consumer joining mid-chain starts wherever it joins).
          arrival.unshift(items[0]!);
          const seq = new SubjectSequencer<string>({ holdMs: 1e9 });
          const out: string[] = [];
          arrival.forEach((item, t) => out.push(...delivered(seq.offer('s', item, t))));
          expect(out).toEqual(items.map((i) => i.id));
          expect(seq.heldCount).toBe(0);
        },
      ),
    );
  });

  it('property: a lost message costs exactly one gap, and everything else still arrives once in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 50 }), fc.nat(), (n, lostAt) => {
        const items = chain(n);
        // Lost in the middle: the last message has no successor to notice it.
        const lost = 1 + (lostAt % (n - 2));
        const seq = new SubjectSequencer<string>({ holdMs: 10 });
        const outs: SequencerOutput<string>[] = [];
        items.forEach((item, t) => {
          if (t !== lost) outs.push(...seq.offer('s', item, t));
        });
        outs.push(...seq.expire(1e6));
        expect(delivered(outs)).toEqual(items.filter((_, i) => i !== lost).map((i) => i.id));
        expect(outs.filter((o) => o.kind === 'deliver' && o.gap)).toHaveLength(1);
      }),
    );
  });
});
