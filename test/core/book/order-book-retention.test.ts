import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../../src/core/book/order-book.js';
import { DepthUpdateScanner } from '../../../src/exchanges/binance/depth-update-scanner.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('OrderBook memory', () => {
  it('does not keep the messages its levels were read from alive', () => {
    const scanner = new DepthUpdateScanner();
    const book = new OrderBook();
    // 1000 messages of 100 kB each, every one adding one level with a 14-character price: were the stored
    // strings views into their messages (V8 slices substrings of 13+ characters), 100 MB would stay alive.
    const padding = 'x'.repeat(100_000);
    const before = heapAfterGc();
    for (let i = 0; i < 1000; i++) {
      const price = (50_000 + i / 100).toFixed(8);
      const text = `{"e":"depthUpdate","E":1,"pad":"${padding}${i}","s":"BTCUSDT","U":${i},"u":${i},"b":[["${price}","1.00000000000"]],"a":[]}`;
      const diff = scanner.scan(text, 0, { exchange: 'binance', market: 'spot' }, 0);
      expect(diff).not.toBeNull();
      book.applyDiff(diff!.bids, diff!.asks);
    }
    const grown = heapAfterGc() - before;
    expect(book.bidCount).toBe(1000);
    expect(book.levels('bids')[0]).toEqual(['50009.99000000', '1.00000000000']);
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });
});
