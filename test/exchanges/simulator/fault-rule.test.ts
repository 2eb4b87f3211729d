import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseFaultSpec } from '../../../src/exchanges/simulator/fault-rule.js';
import { Faults } from '../../../src/exchanges/simulator/faults.js';

describe('parseFaultSpec', () => {
  it('reads probabilities, one-shot counts and options', () => {
    expect(parseFaultSpec('rest-5xx:0.1,ws-gap:0.01')).toEqual([
      { kind: 'rest-5xx', probability: 0.1 },
      { kind: 'ws-gap', probability: 0.01 },
    ]);
    expect(
      parseFaultSpec('rest-5xx:2x:status=502, ws-gap:symbol=btcusdt, rest-slow:0.2:ms=1500:endpoint=*'),
    ).toEqual([
      { kind: 'rest-5xx', count: 2, status: 502 },
      { kind: 'ws-gap', symbol: 'BTCUSDT' },
      { kind: 'rest-slow', probability: 0.2, delayMs: 1500, endpoint: '*' },
    ]);
    expect(parseFaultSpec('rest-418:retryAfter=5')).toEqual([{ kind: 'rest-418', retryAfterS: 5 }]);
    expect(parseFaultSpec('')).toEqual([]);
  });

  it('reads JSON', () => {
    expect(parseFaultSpec('[{"kind":"ws-delay","delayMs":300,"count":2}]')).toEqual([
      { kind: 'ws-delay', delayMs: 300, count: 2 },
    ]);
    expect(parseFaultSpec('{"kind":"rest-hang"}')).toEqual([{ kind: 'rest-hang' }]);
  });

  it('rejects what it cannot mean', () => {
    for (const bad of [
      'nope',
      'rest-5xx:2',
      'rest-5xx:0',
      'rest-5xx:status=404',
      'ws-gap:colour=red',
      'rest-slow:ms=x',
      '[1]',
      '{',
      '{"kind":"rest-5xx","count":1,"probability":0.5}',
    ]) {
      expect(() => parseFaultSpec(bad), bad).toThrow(ConfigError);
    }
  });
});

describe('Faults', () => {
  it('fires one-shot rules the given number of times, filtered by symbol and endpoint', () => {
    const f = new Faults(1).gap({ count: 2, symbol: 'BTCUSDT' });
    expect(f.take('ws-gap', 'ETHUSDT')).toBeUndefined();
    expect(f.take('ws-gap', 'BTCUSDT')).toBeDefined();
    expect(f.take('ws-gap', 'BTCUSDT')).toBeDefined();
    expect(f.take('ws-gap', 'BTCUSDT')).toBeUndefined();
    expect(f.fired('ws-gap')).toBe(2);
    f.serverError(502);
    expect(f.take('rest-5xx', undefined, 'exchangeInfo')).toBeUndefined(); // default endpoint is depth
    expect(f.take('rest-5xx', undefined, 'depth')?.status).toBe(502);
    f.add({ kind: 'rest-5xx', endpoint: '*' });
    expect(f.take('rest-5xx', undefined, 'exchangeInfo')).toBeDefined();
    expect(f.active()).toEqual([]);
  });

  it('fires probabilistic rules at about their rate, reproducibly for a seed', () => {
    const draw = (seed: number): boolean[] => {
      const f = new Faults(seed).add('ws-duplicate:0.25');
      return Array.from({ length: 2000 }, () => f.take('ws-duplicate', 'BTCUSDT') !== undefined);
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.3);
  });

  it('load replaces, clear removes', () => {
    const f = new Faults(1).add('rest-hang:3x', 'ws-gap:0.5');
    f.clear('rest-hang');
    expect(f.active().map((r) => r.kind)).toEqual(['ws-gap']);
    f.load('rest-418');
    expect(f.active()).toEqual([{ kind: 'rest-418' }]);
    f.clear();
    expect(f.active()).toEqual([]);
  });
});
