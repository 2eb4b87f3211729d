/**
 * Diff-depth sources (the live websocket stream, its recordings, tardis.dev `incremental_book_L2`) to
 * samples: a DiffBookKeeper holds one book per symbol, and samples are taken
 * - `cadence`: at ticks t0 + k·intervalMs of the local clock, one sample per symbol per tick, or
 * - `event`: one sample of the symbol after each diff event, at the event's receive time.
 * A symbol that is not in sync gives `unsynced` samples with an empty book, never a broken one.
 *
 * The rule that makes a replay give the same rows as the live run: tick k holds the state after every
 * input whose time is ≤ t_k, and is emitted just before the first input later than t_k is applied. Inputs
 * arrive in non-decreasing time (a live source stamps each one when it enters its queue), so the rule
 * needs no look-ahead. A live source also sends clock marks so that ticks come out while nothing else does;
 * a replay has no marks and emits the same ticks at the next recorded input, with the same state, since
 * nothing changed in between. Diffs, snapshots, missing-data events, trades and clock marks move time;
 * status events are not recorded, so they must not.
 *
 * Trades in the input (e.g. `aggTrade` messages of the same stream) are passed on, each before the first
 * sample at or after its time, for the trade features of computeRows.
 */
import type { BookSample } from '../core/book-sample.js';
import type { MarketEvent, Trade } from '../events.js';
import { ConfigError } from '../errors.js';
import type { ClockMark } from './clock-mark.js';
import { DiffBookKeeper, type DiffBookKeeperOptions } from './diff-book-keeper.js';

/** What the diff sampler consumes. */
export type DiffSamplerInput = MarketEvent | ClockMark;

/** `cadence`: one sample per symbol per tick; `event`: one sample per diff event. */
export type SampleMode = 'cadence' | 'event';

/** Options of {@link sampleDiffs}. */
export interface DiffSamplerOptions extends DiffBookKeeperOptions {
  /** @default 'cadence' */
  readonly sample?: SampleMode;
  /**
   * Time between ticks. In `event` mode ticks still run the staleness check but give no samples.
   * @default 1000
   */
  readonly intervalMs?: number;
  /**
   * Time of tick 0 (epoch ms).
   * @default the first multiple of intervalMs at or after the first input's time
   */
  readonly tickStartMs?: number;
  /** No tick at or after this time. @default none */
  readonly tickEndMs?: number;
  /** Symbols sampled from the first tick, in this order; other symbols join when first seen. */
  readonly symbols?: readonly string[];
  /** Receives the keeper once it exists (to read books and counters while the run goes on). */
  readonly onKeeper?: (keeper: DiffBookKeeper) => void;
}

function movesTime(e: DiffSamplerInput): boolean {
  return e.type !== 'status';
}

/**
 * Yields samples (and the input's trades) from diff-depth inputs (see the file comment for the rules). A sample's `view` belongs to
 * the sampler and is valid until the next sample of the same symbol. Throws ConfigError for bad options.
 */
export async function* sampleDiffs(
  inputs: AsyncIterable<DiffSamplerInput>,
  options: DiffSamplerOptions,
): AsyncGenerator<BookSample | Trade> {
  const mode = options.sample ?? 'cadence';
  const intervalMs = options.intervalMs ?? 1000;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new ConfigError(`interval must be a positive number of ms, got ${intervalMs}`, 'intervalMs');
  }
  const keeper = new DiffBookKeeper(options);
  options.onKeeper?.(keeper);
  for (const symbol of options.symbols ?? []) keeper.addSymbol(symbol);
  const endMs = options.tickEndMs ?? Number.POSITIVE_INFINITY;
  let startMs = options.tickStartMs ?? Number.NaN;
  let index = 0;
  for await (const e of inputs) {
    if (!movesTime(e)) continue;
    const t = e.localTimeMs;
    if (Number.isNaN(startMs)) startMs = Math.ceil(t / intervalMs) * intervalMs;
    // Ticks by multiplication, never by accumulation, so that float steps do not drift.
    for (
      let tick = startMs + index * intervalMs;
      tick < t && tick < endMs;
      tick = startMs + ++index * intervalMs
    ) {
      keeper.checkStale(tick);
      if (mode === 'cadence') {
        for (const symbol of keeper.symbols()) yield keeper.sample(symbol, tick);
      }
    }
    switch (e.type) {
      case 'diff':
        keeper.onDiff(e);
        if (mode === 'event') yield keeper.sample(e.symbol, t);
        break;
      case 'snapshot':
        keeper.onSnapshot(e);
        break;
      case 'missing':
        keeper.onMissing(e);
        break;
      case 'trade':
        yield e;
        break;
      default:
        break;
    }
  }
}
