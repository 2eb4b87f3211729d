import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/net/sleep.js';

describe('sleep', () => {
  it('resolves after the timer', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    await expect(sleep(-5)).resolves.toBeUndefined();
  });

  it('rejects with the abort reason when aborted while waiting', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = { why: 'already' };
    await expect(sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('does not reject later when aborted after it resolved', async () => {
    const controller = new AbortController();
    await sleep(1, controller.signal);
    controller.abort();
    // No unhandled rejection: the listener was removed when the timer fired.
    expect(controller.signal.aborted).toBe(true);
  });

  it('50 sleeps on one signal share one listener, warn nothing and leave none behind', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const done = new AbortController();
      const finished = Array.from({ length: 50 }, () => sleep(1, done.signal));
      expect(getEventListeners(done.signal, 'abort')).toHaveLength(1);
      await Promise.all(finished);
      expect(getEventListeners(done.signal, 'abort')).toEqual([]);

      const stop = new AbortController();
      const reason = new Error('stop');
      const stopped = Array.from({ length: 50 }, () => sleep(60_000, stop.signal).catch((e: unknown) => e));
      stop.abort(reason);
      expect(await Promise.all(stopped)).toEqual(Array.from({ length: 50 }, () => reason));
      expect(getEventListeners(stop.signal, 'abort')).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).toEqual([]);
  });
});
