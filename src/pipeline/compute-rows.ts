/**
 * samples → features → labels: one FeatureEngine and one labeller per symbol. Rows come out once their
 * labels are known (one sample late), in the order their successors arrived; memory is bounded per symbol.
 */
import type { BookSample } from '../core/book-sample.js';
import { NextSampleReturnLabeler } from '../core/labels/next-sample-return.js';
import { FeatureEngine } from '../core/row/feature-engine.js';
import type { FeatureRow } from '../core/row/feature-row.js';
import type { FeatureOptions } from '../options.js';

const labelForward = (row: FeatureRow, fwd: number): void => {
  row.mid_ret_fwd = fwd;
};

export async function* computeRows(
  samples: AsyncIterable<BookSample>,
  options: FeatureOptions,
): AsyncGenerator<FeatureRow> {
  const engines = new Map<string, { engine: FeatureEngine; labeler: NextSampleReturnLabeler<FeatureRow> }>();
  let failure: { error: unknown } | null = null;
  try {
    for await (const s of samples) {
      let st = engines.get(s.symbol);
      if (st === undefined) {
        st = { engine: new FeatureEngine(options), labeler: new NextSampleReturnLabeler<FeatureRow>() };
        engines.set(s.symbol, st);
      }
      const done = st.labeler.push(st.engine.next(s), labelForward);
      if (done !== null) yield done;
    }
  } catch (error) {
    failure = { error };
  }
  // The input ended, or failed (a ban, a fatal source error): the last row of each symbol has no future,
  // so its label is missing, but the row itself is kept: data already collected is never dropped.
  for (const { labeler } of engines.values()) {
    const last = labeler.flush(labelForward);
    if (last !== null) yield last;
  }
  if (failure !== null) throw failure.error;
}
