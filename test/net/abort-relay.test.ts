import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onceAborted } from '../../src/net/abort-relay.js';

describe('onceAborted', () => {
  it('runs every waiter once through one listener, removed with the abort', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const record = (): void => {
      calls.push('same');
    };
    onceAborted(controller.signal, () => calls.push('a'));
    onceAborted(controller.signal, record);
    onceAborted(controller.signal, record); // registered twice: runs twice
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.abort();
    expect(calls).toEqual(['a', 'same', 'same']);
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('drops the listener with the last waiter; unregistering twice or late does nothing', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const offA = onceAborted(controller.signal, () => calls.push('a'));
    const offB = onceAborted(controller.signal, () => calls.push('b'));
    offA();
    offA();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    offB();
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
    // A new waiter after all left gets a fresh listener.
    const offC = onceAborted(controller.signal, () => calls.push('c'));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    offC();
    expect(calls).toEqual(['c']);
  });

  it('runs at once on a signal that has already aborted', () => {
    const calls: string[] = [];
    const off = onceAborted(AbortSignal.abort(), () => calls.push('now'));
    expect(calls).toEqual(['now']);
    off();
  });
});
