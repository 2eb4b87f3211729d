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
});
