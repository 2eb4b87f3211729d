/**
 * Rows of a simulated run for report tests, made without network or timers: the simulator's market stepped to
 * each sample time, its top of book as REST-style snapshots (some ticks missing), through the real sampler and
 * feature engine. Columns that other stages add (`ret_fwd_<h>`, `gate`, `gate_age`) are added here from the
 * rows themselves when asked, so the report can be tested with and without them.
 */
import type { BookSnapshot, MarketEvent, MissingSample } from '../../src/events.js';
import { SimulatedMarket } from '../../src/exchanges/simulator/market.js';
import { computeRows } from '../../src/pipeline/compute-rows.js';
import { sampleSnapshots } from '../../src/pipeline/snapshot-sampler.js';
import { featureColumns } from '../../src/core/row/column-schema.js';
import type { FeatureRow } from '../../src/core/row/feature-row.js';
import { resolveFeatureOptions, viewDepth } from '../../src/options.js';

export interface SimulatedRunOptions {
  readonly seed?: number;
  readonly symbols?: readonly string[];
  readonly samples: number;
  readonly intervalMs: number;
  readonly startMs?: number;
  /** Every n-th tick of each symbol is missing (0: none). */
  readonly missingEvery?: number;
  /** Add `ret_fwd_<k*interval>` columns for these sample counts ahead. */
  readonly horizons?: readonly number[];
  /** Add `gate` / `gate_age` from obi_ema with hysteresis. */
  readonly gate?: boolean;
}

export interface SimulatedRun {
  readonly columns: string[];
  readonly rows: FeatureRow[];
}

/** Returns the rows of a simulated run, in the order the pipeline emits them. */
export async function simulatedRun(o: SimulatedRunOptions): Promise<SimulatedRun> {
  const features = resolveFeatureOptions({
    intervalSec: o.intervalMs / 1000,
    levels: 10,
    obiLevels: [1, 5, 10],
  });
  const start = o.startMs ?? Date.UTC(2024, 7, 8, 12, 0, 0);
  const market = new SimulatedMarket({ seed: o.seed ?? 1, startTimeMs: start });
  const symbols = o.symbols ?? ['BTCUSDT'];
  const events = async function* (): AsyncGenerator<MarketEvent> {
    for (let k = 0; k < o.samples; k++) {
      const t = start + k * o.intervalMs;
      market.advanceTo(t);
      for (const symbol of symbols) {
        if (o.missingEvery !== undefined && o.missingEvery > 0 && k % o.missingEvery === o.missingEvery - 1) {
          const missing: MissingSample = {
            type: 'missing',
            exchange: 'simulator',
            market: 'spot',
            symbol,
            reason: 'timeout after 2000 ms',
            localTimeMs: t,
            requestTimeMs: t - 2000,
          };
          yield missing;
          continue;
        }
        const body = market.depth(symbol, 20);
        const snapshot: BookSnapshot = {
          type: 'snapshot',
          exchange: 'simulator',
          market: 'spot',
          symbol,
          lastUpdateId: body.lastUpdateId,
          bids: body.bids,
          asks: body.asks,
          depthLimit: 20,
          exchangeTimeMs: null,
          localTimeMs: t + 3 + (k % 7),
          requestTimeMs: t,
        };
        yield snapshot;
      }
    }
  };
  const rows: FeatureRow[] = [];
  for await (const row of computeRows(sampleSnapshots(events(), viewDepth(features)), features))
    rows.push(row);
  const columns = featureColumns(features);
  const horizons = o.horizons ?? [];
  const add = (column: string): void => {
    if (!columns.includes(column)) columns.push(column);
  };
  for (const h of horizons) add(`ret_fwd_${(h * o.intervalMs) / 1000}s`);
  if (o.gate === true) {
    add('gate');
    add('gate_age');
  }
  for (const symbol of symbols) {
    const own = rows.filter((r) => r.symbol === symbol);
    own.forEach((row, i) => {
      for (const h of horizons) {
        const later = own[i + h];
        row[`ret_fwd_${(h * o.intervalMs) / 1000}s`] =
          later === undefined ? Number.NaN : Math.log(later.mid) - Math.log(row.mid);
      }
    });
    if (o.gate === true) addGate(own);
  }
  return { columns, rows };
}

/** Hysteresis gate on obi_ema: enter at |ema| ≥ 0.05, leave below 0.02 (the simulator's obi_ema is small). */
function addGate(rows: FeatureRow[]): void {
  let state = 0;
  let age = 0;
  for (const row of rows) {
    const e = row.obi_ema;
    const previous = state;
    if (Number.isNaN(e)) state = 0;
    else if (state === 0 && e >= 0.05) state = 1;
    else if (state === 0 && e <= -0.05) state = -1;
    else if (state === 1 && e < 0.02) state = 0;
    else if (state === -1 && e > -0.02) state = 0;
    age = state === previous ? age + 1 : 0;
    row['gate'] = state;
    row['gate_age'] = age;
  }
}
