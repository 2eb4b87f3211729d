/**
 * samples (and trades) → features → labels: one RowPipeline per symbol. Rows come out once their labels are
 * known (one sample late without horizons, about the longest horizon late with them), per symbol in time
 * order; memory is bounded per symbol.
 *
 * Trades: a sampler forwards `Trade` events in the same stream as the samples, in the order they were
 * received, each before the first sample whose time is at or after the trade's `localTimeMs`. They feed `tfi`
 * and `vpin` when `options.trades` is on and are ignored otherwise.
 */
import type { BookSample } from '../core/book-sample.js';
import { RowPipeline } from '../core/row/row-pipeline.js';
import type { FeatureRow } from '../core/row/feature-row.js';
import type { Trade } from '../events.js';
import type { FeatureOptions } from '../options.js';

/** The rows of a run, carrying the options they were computed with (runToFiles reads them). */
export interface FeatureRowStream extends AsyncGenerator<FeatureRow> {
  readonly features: FeatureOptions;
}

/** Returns true for a trade event of a merged sample/trade stream. */
export function isTrade(item: BookSample | Trade): item is Trade {
  return 'type' in item && item.type === 'trade';
}

/** Returns the rows of `input` (samples, optionally interleaved with trades). */
export function computeRows(
  input: AsyncIterable<BookSample | Trade>,
  options: FeatureOptions,
): FeatureRowStream {
  return Object.assign(rowsOf(input, options), { features: options });
}

async function* rowsOf(
  input: AsyncIterable<BookSample | Trade>,
  options: FeatureOptions,
): AsyncGenerator<FeatureRow> {
  const pipelines = new Map<string, RowPipeline>();
  const pipelineOf = (symbol: string): RowPipeline => {
    let p = pipelines.get(symbol);
    if (p === undefined) {
      p = new RowPipeline(options);
      pipelines.set(symbol, p);
    }
    return p;
  };
  const done: FeatureRow[] = [];
  let failure: { error: unknown } | null = null;
  try {
    for await (const item of input) {
      if (isTrade(item)) {
        if (options.trades) pipelineOf(item.symbol).trade(item);
        continue;
      }
      pipelineOf(item.symbol).push(item, done);
      for (const row of done) yield row;
      done.length = 0;
    }
  } catch (error) {
    failure = { error };
  }
  // The input ended, or failed (a ban, a fatal source error): the held rows of each symbol have no future,
  // so their unknown labels are missing, but the rows are kept: data already collected is never dropped.
  for (const p of pipelines.values()) {
    p.flush(done);
    for (const row of done) yield row;
    done.length = 0;
  }
  if (failure !== null) throw failure.error;
}
