/** Runs the live websocket source and the diff sampler against a simulator, and checks rows against its truth. */
import type { StreamStatus, Trade } from '../../../src/events.js';
import type { RecordingLine } from '../../../src/io/recording-format.js';
import type { RunningSimulator } from '../../../src/exchanges/simulator/server.js';
import {
  monotonicEpochMs,
  openWsDepthStream,
  type WsDepthStream,
  type WsDepthStreamOptions,
} from '../../../src/exchanges/binance/ws-depth-stream.js';
import type { DiffBookKeeper } from '../../../src/pipeline/diff-book-keeper.js';
import { sampleDiffs, type SampleMode } from '../../../src/pipeline/diff-sampler.js';
import { copySample, type SampleCopy } from '../../pipeline/diff-events.js';

export interface LiveRunOptions {
  readonly symbols: readonly string[];
  readonly durationMs: number;
  /** @default 100 */
  readonly intervalMs?: number;
  /** @default 'cadence' */
  readonly sample?: SampleMode;
  readonly market?: 'spot' | 'futures';
  /** Extra stream options (fast backoff etc.). */
  readonly stream?: Partial<WsDepthStreamOptions>;
  /** Called with each ok sample while its book is current (for full-book checks). */
  readonly onOk?: (sample: SampleCopy, keeper: DiffBookKeeper) => void;
  /** Runs while the stream runs (inject faults, rotate). */
  readonly during?: (stream: WsDepthStream) => void;
}

export interface LiveRun {
  readonly samples: SampleCopy[];
  /** Trades passed on by the sampler. */
  readonly trades: Trade[];
  readonly statuses: StreamStatus[];
  readonly lines: RecordingLine[];
  readonly stream: WsDepthStream;
  readonly keeper: DiffBookKeeper;
}

/** Runs for `durationMs` of real time and returns every sample (copied), status and recording line. */
export async function runLive(sim: RunningSimulator, o: LiveRunOptions): Promise<LiveRun> {
  const intervalMs = o.intervalMs ?? 100;
  const start = monotonicEpochMs();
  const tickStartMs = Math.ceil(start / intervalMs) * intervalMs;
  const statuses: StreamStatus[] = [];
  const lines: RecordingLine[] = [];
  const stream = openWsDepthStream({
    exchange: 'binance',
    market: o.market ?? 'spot',
    symbols: o.symbols,
    restBaseUrl: sim.url,
    wsBaseUrl: sim.wsUrl,
    clockMarks: { startMs: tickStartMs, intervalMs },
    stopAtMs: start + o.durationMs,
    reconnectBackoff: { baseMs: 20, maxMs: 200 },
    record: (line) => lines.push(line),
    onStatus: (s) => statuses.push(s),
    ...o.stream,
  });
  let keeper: DiffBookKeeper | null = null;
  const samples: SampleCopy[] = [];
  const trades: Trade[] = [];
  o.during?.(stream);
  for await (const s of sampleDiffs(stream, {
    sample: o.sample ?? 'cadence',
    intervalMs,
    tickStartMs,
    tickEndMs: start + o.durationMs,
    symbols: o.symbols,
    depth: 20,
    venue: { exchange: 'binance', market: o.market ?? 'spot' },
    onSnapshotNeeded: (r) => stream.requestSnapshot(r),
    onStreamBehind: (symbol) => stream.resubscribe(symbol),
    onStatus: (s) => statuses.push(s),
    onKeeper: (k) => {
      keeper = k;
    },
  })) {
    if ('type' in s) {
      trades.push(s);
      continue;
    }
    const copy = copySample(s);
    samples.push(copy);
    if (copy.status === 'ok' && keeper !== null) o.onOk?.(copy, keeper);
  }
  return { samples, trades, statuses, lines, stream, keeper: keeper as unknown as DiffBookKeeper };
}

/** Returns the ok samples whose top 20 levels differ from the venue's book at their update id (should be none). */
export function wrongRows(sim: RunningSimulator, samples: readonly SampleCopy[]): string[] {
  const top = (levels: readonly (readonly [string, string])[]): [number, number][] =>
    levels.slice(0, 20).map(([p, q]): [number, number] => [Number(p), Number(q)]);
  const wrong: string[] = [];
  for (const s of samples) {
    if (s.status !== 'ok') continue;
    const truth = sim.market.bookAt(s.symbol, s.lastUpdateId as number);
    const same =
      JSON.stringify(s.bids) === JSON.stringify(top(truth.bids)) &&
      JSON.stringify(s.asks) === JSON.stringify(top(truth.asks));
    if (!same) wrong.push(`${s.symbol}@${s.lastUpdateId}`);
  }
  return wrong;
}

/**
 * Returns a difference between a synced local book and the venue's book at the same update id, over the
 * whole known window (every level, exact strings), or null when they agree.
 */
export function fullBookDifference(
  sim: RunningSimulator,
  keeper: DiffBookKeeper,
  symbol: string,
): string | null {
  const book = keeper.book(symbol);
  const id = keeper.updateId(symbol);
  if (book === null || id === null) return null;
  const truth = sim.market.bookAt(symbol, id);
  for (const side of ['bids', 'asks'] as const) {
    const local = book.levels(side, 'known');
    const edge = book.windowEdge(side);
    const inside = (price: string): boolean =>
      edge === null || (side === 'bids' ? Number(price) >= Number(edge) : Number(price) <= Number(edge));
    const want = truth[side].filter(([p]) => inside(p)).map(([p, q]) => [p, q]);
    if (JSON.stringify(local) !== JSON.stringify(want)) {
      return `${symbol}@${id} ${side}: local ${JSON.stringify(local.slice(0, 3))}… vs venue ${JSON.stringify(want.slice(0, 3))}…`;
    }
  }
  return null;
}

/** Resolves after `ms` of real time (used to place faults within a run, never to assert on time). */
export function after(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
