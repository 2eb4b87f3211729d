/**
 * A pass-through pipeline stage that shows each sample's book on the dashboard: samples go on unchanged, and
 * every `ok` sample's top levels are published (the dashboard copies them at once, so the sampler may reuse
 * its view). Source-agnostic: polled snapshots and websocket-maintained books alike.
 */
import type { BookSample } from '../core/book-sample.js';
import type { DepthView } from '../core/book/depth-view.js';

/** Where the books go (a DashboardServer). */
export interface BookPublisher {
  publishView(symbol: string, view: DepthView, timeMs: number): void;
}

/** Yields `samples` unchanged, publishing each usable book to `dashboard` first. */
export async function* tapBooks<T extends BookSample | { readonly type: 'trade' }>(
  samples: AsyncIterable<T>,
  dashboard: BookPublisher,
): AsyncGenerator<T> {
  for await (const item of samples) {
    if (!('type' in item) && item.status === 'ok') {
      dashboard.publishView(item.symbol, item.view, item.timeMs);
    }
    yield item;
  }
}
