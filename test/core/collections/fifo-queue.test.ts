import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FifoQueue } from '../../../src/core/collections/fifo-queue.js';

describe('FifoQueue', () => {
  it('shifts in insertion order and reports empty', () => {
    const q = new FifoQueue<number>();
    expect(q.shift()).toBeUndefined();
    q.push(1);
    q.push(2);
    expect(q.peek()).toBe(1);
    expect(q.shift()).toBe(1);
    expect(q.at(0)).toBe(2);
    expect(q.at(1)).toBeUndefined();
    expect(q.at(-1)).toBeUndefined();
    expect(q.length).toBe(1);
    q.clear();
    expect(q.length).toBe(0);
    expect(q.peek()).toBeUndefined();
  });

  it('behaves like an array with push and shift, across compactions', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('clear' as const), n: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        const q = new FifoQueue<number>();
        const model: number[] = [];
        let next = 0;
        for (const { kind, n } of ops) {
          if (kind === 'clear') {
            q.clear();
            model.length = 0;
          }
          for (let i = 0; i < n; i++) {
            if (kind === 'push') {
              q.push(next);
              model.push(next++);
            } else if (kind === 'shift' && q.shift() !== model.shift()) {
              throw new Error('shift disagrees with the array');
            }
          }
          expect(q.length).toBe(model.length);
          expect(q.peek()).toBe(model[0]);
          const probe = Math.floor(model.length / 2);
          expect(q.at(probe)).toBe(model[probe]);
          expect(q.at(model.length - 1)).toBe(model[model.length - 1]);
        }
      }),
      { numRuns: 100 },
    );
  });
});
