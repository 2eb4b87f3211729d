import { describe, expect, it } from 'vitest';
import { busSubject, busSubjectFilter, parseBusSubject } from '../../src/bus/bus-subject.js';
import { eventMessageId, rowMessageId } from '../../src/bus/message-id.js';
import { parseBusUrl, parseBytes, parseDurationMs, DEFAULT_STREAM_SETTINGS } from '../../src/bus/bus-url.js';
import { defaultDurableName } from '../../src/bus/bus-consumer.js';
import { defaultOutboxDir } from '../../src/bus/bus-publishing.js';
import { ConfigError } from '../../src/errors.js';

const venue = { exchange: 'binance-us', market: 'spot' };

describe('subjects', () => {
  it('names one subject per venue, symbol and kind, and parses it back', () => {
    const s = busSubject({ ...venue, symbol: 'BTCUSDT', kind: 'rows' });
    expect(s).toBe('obi.binance-us.spot.BTCUSDT.rows');
    expect(parseBusSubject(s)).toEqual({ ...venue, symbol: 'BTCUSDT', kind: 'rows' });
    expect(busSubjectFilter(venue, 'events')).toBe('obi.binance-us.spot.*.events');
    expect(parseBusSubject('obi.binance.spot.BTCUSDT.trades')).toBeNull();
    expect(parseBusSubject('other.binance.spot.BTCUSDT.rows')).toBeNull();
    expect(busSubject({ ...venue, symbol: 'X', kind: 'rows' }, 'desk2')).toBe('desk2.binance-us.spot.X.rows');
    expect(parseBusSubject('desk2.binance-us.spot.X.rows', 'desk2')).toMatchObject({ symbol: 'X' });
    expect(parseBusUrl('nats://h?prefix=desk2').stream).toMatchObject({
      subjectRoot: 'desk2',
      subjects: ['desk2.>'],
    });
    expect(() => parseBusUrl('nats://h?prefix=a.b')).toThrow(ConfigError);
  });

  it('refuses tokens NATS would read as wildcards or separators', () => {
    for (const symbol of ['BTC.USDT', 'BTC*', '>', 'BTC USDT', '']) {
      expect(() => busSubject({ ...venue, symbol, kind: 'rows' })).toThrow(ConfigError);
    }
  });
});

describe('message ids', () => {
  const base = { exchange: 'binance', market: 'spot' as const, symbol: 'ETHUSDT' };
  it('derive from the data, so a resend has the same id', () => {
    expect(rowMessageId(base, 'ETHUSDT', 1723161255021.25)).toBe('binance.spot.ETHUSDT.r.1723161255021.25');
    expect(
      eventMessageId({
        ...base,
        type: 'diff',
        firstUpdateId: 10,
        finalUpdateId: 12,
        prevFinalUpdateId: null,
        bids: [],
        asks: [],
        exchangeTimeMs: 5,
        localTimeMs: 6,
      }),
    ).toBe('binance.spot.ETHUSDT.d.10-12');
    expect(
      eventMessageId({
        ...base,
        type: 'trade',
        tradeId: 77,
        price: 1,
        qty: 1,
        buyerIsMaker: true,
        exchangeTimeMs: 1,
        localTimeMs: 2,
      }),
    ).toBe('binance.spot.ETHUSDT.t.77');
  });
  it('two polls of an unchanged book (same lastUpdateId) are two messages', () => {
    const snap = {
      ...base,
      type: 'snapshot' as const,
      lastUpdateId: 5,
      bids: [],
      asks: [],
      depthLimit: 20,
      exchangeTimeMs: null,
    };
    expect(eventMessageId({ ...snap, localTimeMs: 1000 })).not.toBe(
      eventMessageId({ ...snap, localTimeMs: 2000 }),
    );
    expect(eventMessageId({ ...base, type: 'missing', reason: 'timeout', localTimeMs: 3 })).toBe(
      'binance.spot.ETHUSDT.m.3',
    );
  });
});

describe('NATS URLs', () => {
  it('defaults: stream OBI on obi.>, limits retention, one replica, rows published', () => {
    const t = parseBusUrl('nats://127.0.0.1');
    expect(t.servers).toEqual(['127.0.0.1:4222']);
    expect(t.stream).toEqual(DEFAULT_STREAM_SETTINGS);
    expect(t.publish.kinds).toEqual(['rows']);
    expect(t.display).toBe('nats://127.0.0.1:4222');
  });

  it('reads servers, credentials and every setting', () => {
    const t = parseBusUrl(
      'nats://me:s%40cret@a:4222,b:4223?stream=DESK&retention=workqueue&replicas=3&storage=memory&max-age=2h&max-bytes=10GiB&dup-window=10m&publish=rows,events&outbox=/var/obi&outbox-max=500MB&ack-timeout=750ms',
    );
    expect(t.servers).toEqual(['a:4222', 'b:4223']);
    expect(t).toMatchObject({ user: 'me', pass: 's@cret', display: 'nats://me@a:4222,b:4223' });
    expect(t.stream).toMatchObject({
      name: 'DESK',
      retention: 'workqueue',
      replicas: 3,
      storage: 'memory',
      maxAgeMs: 7_200_000,
      maxBytes: 10 * 1024 ** 3,
      duplicateWindowMs: 600_000,
    });
    expect(t.publish).toEqual({
      kinds: ['rows', 'events'],
      outboxDir: '/var/obi',
      outboxMaxBytes: 500e6,
      ackTimeoutMs: 750,
    });
  });

  it('names what is wrong', () => {
    expect(() => parseBusUrl('http://x')).toThrow(/NATS URL/);
    expect(() => parseBusUrl('nats://x?replica=3')).toThrow(/unknown NATS URL parameter "replica"/);
    expect(() => parseBusUrl('nats://x?replicas=9')).toThrow(/replicas/);
    expect(() => parseBusUrl('nats://x?retention=forever')).toThrow(/retention/);
    expect(() => parseBusUrl('nats://x?publish=trades')).toThrow(/publish/);
    expect(() => parseDurationMs('30', 'max-age')).toThrow(/duration/);
    expect(parseDurationMs('0', 'max-age')).toBe(0);
    expect(parseBytes('1KiB', 'x')).toBe(1024);
    expect(() => parseBytes('1 parsec', 'x')).toThrow(ConfigError);
  });
});

describe('default names', () => {
  it('durables and outboxes are stable for a command and differ between symbol sets', () => {
    const v = { exchange: 'binance', market: 'spot' };
    expect(defaultDurableName('rows', v)).toBe('obi-rows-binance-spot-all');
    expect(defaultDurableName('rows', v, ['ETHUSDT', 'BTCUSDT'])).toBe(
      'obi-rows-binance-spot-BTCUSDT-ETHUSDT',
    );
    const many = ['A1', 'B1', 'C1', 'D1'];
    expect(defaultDurableName('rows', v, many)).toBe(defaultDurableName('rows', v, [...many].reverse()));
    expect(defaultDurableName('rows', v, many)).not.toBe(
      defaultDurableName('rows', v, ['A1', 'B1', 'C1', 'E1']),
    );
    expect(defaultOutboxDir('/r', 'OBI', v, ['A', 'B'], ['rows'])).toBe(
      defaultOutboxDir('/r', 'OBI', v, ['B', 'A'], ['rows']),
    );
    expect(defaultOutboxDir('/r', 'OBI', v, ['A', 'B'], ['rows'])).not.toBe(
      defaultOutboxDir('/r', 'OBI', v, ['A'], ['rows']),
    );
  });
});
