import { describe, expect, it } from 'vitest';
import { ClientFeed, type FeedSocket } from '../../src/dashboard/client-feed.js';

class FakeSocket implements FeedSocket {
  bufferedAmount = 0;
  sent: string[] = [];
  terminated = false;
  send(data: string): void {
    this.sent.push(data);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('ClientFeed', () => {
  it('starts with a snapshot, then deltas; a slow client skips, then gets one snapshot when drained', () => {
    const socket = new FakeSocket();
    const feed = new ClientFeed(socket, { slowBytes: 100, maxBytes: 1000 });
    let built = 0;
    const snapshot = (): string => `S${++built}`;
    expect(feed.push(null, snapshot)).toBe('snapshot');
    expect(feed.push('d1', snapshot)).toBe('delta');
    expect(feed.push(null, snapshot)).toBe('idle');
    socket.bufferedAmount = 101;
    expect(feed.push('d2', snapshot)).toBe('skipped');
    expect(feed.push(null, snapshot)).toBe('idle');
    expect(feed.push('d3', snapshot)).toBe('skipped');
    socket.bufferedAmount = 100;
    expect(feed.push(null, snapshot)).toBe('snapshot');
    expect(feed.push('d4', snapshot)).toBe('delta');
    expect(socket.sent).toEqual(['S1', 'd1', 'S2', 'd4']);
    expect([feed.skipped, feed.snapshots, feed.deltas]).toEqual([2, 2, 2]);
  });

  it('drops a client whose unsent bytes pass the hard limit, and then does nothing', () => {
    const socket = new FakeSocket();
    const feed = new ClientFeed(socket, { slowBytes: 10, maxBytes: 20 });
    socket.bufferedAmount = 21;
    expect(feed.push('d', () => 'S')).toBe('terminated');
    expect(socket.terminated).toBe(true);
    expect(feed.terminated).toBe(true);
    socket.bufferedAmount = 0;
    expect(feed.push('d', () => 'S')).toBe('terminated');
    expect(socket.sent).toEqual([]);
  });
});
