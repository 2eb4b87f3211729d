/**
 * Fault soak of the real CLI: `obi collect` (websocket and poll mode) as a child process against the
 * simulator while a random schedule fires every fault that mode can meet (websocket: all of them plus
 * dropped connections and serverShutdown; poll: every REST fault but the 418 ban, which ends a poll run by
 * design). Checked every second while it runs: the process is alive, each new complete CSV line is a valid
 * row, each synced row's top of book is the venue's at the row's update id, each tick gave one row per
 * symbol; its memory (RSS) is reported and bounded. At the end Ctrl-C stops it cleanly (exit 0) with every
 * file written. Length: OBI_SOAK_SECONDS each (default 8 s here).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/exchanges/simulator/server.js';
import { FAULT_KINDS } from '../../src/exchanges/simulator/fault-rule.js';
import { parseCsvLine } from '../../src/io/csv-line.js';
import { ObiProcess, after, ensureBuilt } from './cli-process.js';
import { faultSchedule, firedCounts, playSchedule, prng } from './fault-schedule.js';

const SOAK_MS = Math.min(8, Number(process.env['OBI_SOAK_SECONDS'] ?? 8)) * 1000;
const SOAK_LONG_MS = Number(process.env['OBI_SOAK_SECONDS'] ?? 8) * 1000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const L = 20;
/** RSS growth from the first quarter of the run to its end that counts as a leak. */
const RSS_GROWTH_LIMIT_BYTES = 96 * 1024 * 1024;

const children: ObiProcess[] = [];
beforeAll(() => ensureBuilt());
afterAll(async () => {
  await Promise.all(children.map((p) => p.stop('SIGKILL')));
});

function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** Checks new complete CSV lines as the run writes them. */
class CsvWatcher {
  private offset = 0;
  private header: string[] | null = null;
  readonly errors: string[] = [];
  readonly lastTime = new Map<string, number>();
  rows = 0;
  okRows = 0;
  crossedRows = 0;

  constructor(
    private readonly path: string,
    private readonly sim: RunningSimulator,
    private readonly intervalMs: number,
  ) {}

  private error(text: string): void {
    if (this.errors.length < 8) this.errors.push(text);
  }

  poll(): void {
    if (!existsSync(this.path)) return;
    const text = readFileSync(this.path, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end <= this.offset) return;
    const lines = text.slice(this.offset, end).split('\n').slice(0, -1);
    this.offset = end;
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    const fields = parseCsvLine(line);
    if (this.header === null) {
      this.header = fields;
      return;
    }
    const h = this.header;
    if (fields === null || fields.length !== h.length) {
      this.error(`not a row: ${line.slice(0, 100)}`);
      return;
    }
    const get = (name: string): string => fields[h.indexOf(name)] as string;
    const symbol = get('symbol');
    const time = Number(get('time_ms'));
    this.rows++;
    const last = this.lastTime.get(symbol);
    // One row per tick: the next row of a symbol is exactly one interval later (websocket ticks sit on the
    // grid; poll rows carry the receive time, so only their order is checked — and two failed ticks known in
    // the same millisecond (a late tick, then an instant 5xx) can share a time stamp, so equal is in order).
    const inOrder = this.intervalMs > 0 ? time > (last ?? -Infinity) : time >= (last ?? -Infinity);
    if (last !== undefined && !inOrder) this.error(`${symbol}: ${time} after ${last}`);
    if (last !== undefined && this.intervalMs > 0 && Math.abs(time - last - this.intervalMs) > 1e-6) {
      this.error(`${symbol}: a tick was skipped or repeated between ${last} and ${time}`);
    }
    this.lastTime.set(symbol, time);
    if (get('status') !== 'ok') return;
    this.okRows++;
    if (get('crossed') === '1') {
      this.crossedRows++;
      // Websocket books refuse crossed snapshots; a poll row is the snapshot itself, flagged.
      if (this.intervalMs > 0) this.error(`${symbol}@${time}: a synced websocket book is crossed`);
      else if (this.sim.faults.fired('rest-crossed') === 0)
        this.error(`${symbol}@${time}: crossed without cause`);
      return;
    }
    const truth = this.sim.market.bookAt(symbol, Number(get('lastUpdateId')));
    const sum = (levels: readonly (readonly [string, string])[]): number =>
      levels.slice(0, L).reduce((a, [, q]) => a + Number(q), 0);
    const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    const same =
      Number(get('best_bid')) === Number(truth.bids[0]?.[0]) &&
      Number(get('best_ask')) === Number(truth.asks[0]?.[0]) &&
      close(Number(get('bid_vol_L')), sum(truth.bids)) &&
      close(Number(get('ask_vol_L')), sum(truth.asks));
    if (!same) this.error(`${symbol}@${get('lastUpdateId')}: the row's book is not the venue's`);
  }
}

async function soak(mode: 'ws' | 'poll', durationMs: number): Promise<void> {
  const seed = Number(process.env['OBI_SOAK_SEED'] ?? Date.now() % 100_000);
  const random = prng(seed);
  const sim = await startSimulator({ seed, tickMs: 20, pingIntervalMs: 1500, pongTimeoutMs: 5000 });
  const dir = mkdtempSync(join(tmpdir(), `obi-soak-${mode}-`));
  const intervalSec = mode === 'ws' ? 0.1 : 0.25;
  const p = new ObiProcess(
    [
      'collect',
      '--mode',
      mode,
      '--base-url',
      sim.url,
      '--ws-url',
      sim.wsUrl,
      '--symbol',
      SYMBOLS.join(','),
      '--interval',
      String(intervalSec),
      '--horizons',
      'none',
      '--minutes',
      '0',
      '--timeout',
      '1',
      '--quiet',
      '--record',
      'rec',
    ],
    dir,
  );
  children.push(p);
  // Websocket: every fault (a crossed snapshot is refused, see fault-soak.test.ts); poll: every REST
  // fault but the ban.
  const kinds = FAULT_KINDS.filter((k) => mode === 'ws' || (k.startsWith('rest-') && k !== 'rest-418'));
  const schedule = faultSchedule(random, {
    durationMs,
    symbols: SYMBOLS,
    kinds,
    venueActions: mode === 'ws',
    restPerRequest: mode === 'poll',
    quietStartMs: 1500,
  });
  const watcher = new CsvWatcher(join(dir, 'level43_orderbook_imbalance.csv'), sim, mode === 'ws' ? 100 : 0);
  const rss: number[] = [];
  let cancel = (): void => {};
  try {
    // The schedule starts once the process is up (its clock starts with the first row).
    for (let i = 0; i < 100 && watcher.rows === 0 && p.running; i++) {
      await after(100);
      watcher.poll();
    }
    cancel = playSchedule(sim, schedule);
    for (let elapsed = 0; elapsed < durationMs; elapsed += 1000) {
      await after(1000);
      expect(p.running, `seed ${seed}: obi exited during the soak: ${p.stderr}`).toBe(true);
      watcher.poll();
      const r = rssBytes(p.child.pid as number);
      if (r !== null) rss.push(r);
    }
    cancel();
    const end = await p.stop('SIGINT');
    watcher.poll();
    const fired = firedCounts(sim);
    console.log(
      `fault soak (obi collect --mode ${mode}): ${JSON.stringify({
        seed,
        soakSeconds: durationMs / 1000,
        rows: watcher.rows,
        okRows: watcher.okRows,
        crossedRows: watcher.crossedRows,
        rssMb: rss.map((b) => Math.round(b / 2 ** 20)),
        fired,
      })}`,
    );
    const context = `seed ${seed} (${mode})`;
    expect(end.code, `${context}: ${end.stderr}`).toBe(0);
    expect(end.stderr, context).toBe('');
    expect(watcher.errors.join('\n'), context).toBe('');
    // Synced rows were checked (the share depends on how the faults fell and on the machine's load).
    expect(watcher.okRows, context).toBeGreaterThan(10);
    const ticks = Math.floor(durationMs / 1000 / intervalSec);
    for (const symbol of SYMBOLS) {
      expect(watcher.lastTime.has(symbol), `${context} ${symbol}`).toBe(true);
    }
    expect(watcher.rows, context).toBeGreaterThan(ticks * SYMBOLS.length * 0.8);
    const metrics = JSON.parse(
      readFileSync(join(dir, 'level43_orderbook_imbalance_metrics.json'), 'utf8'),
    ) as {
      metrics_by_symbol: Record<string, { samples: number }>;
    };
    const samples = Object.values(metrics.metrics_by_symbol).reduce((a, m) => a + m.samples, 0);
    expect(samples, context).toBe(watcher.rows);
    const quarter = rss[Math.floor(rss.length / 4)] ?? 0;
    expect((rss.at(-1) ?? 0) - quarter, context).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
    // Every fault of the mode fired (websocket runs meet REST faults only when they resync).
    const missed = kinds.filter((k) => (fired[k] ?? 0) === 0);
    if (mode === 'poll') expect(missed.length, `${context}: ${JSON.stringify(fired)}`).toBeLessThanOrEqual(1);
    else {
      // A short soak draws each fault with a probability and real timing, so which kinds come up varies from
      // run to run even for one seed (seen: 12864 drew no ws-malformed, then neither ws-malformed nor
      // ws-reorder; 24071 on a loaded CI machine drew only ws-drop, and every kind when run again). A rule
      // armed while the client is between connections expires unfired. The invariants above are the test;
      // this only checks that faults really were exercised. The in-process soak (fault-soak.test.ts) and
      // the fuzz tests cover each kind.
      const wsKinds = kinds.filter((k) => k.startsWith('ws-'));
      expect(
        missed.filter((k) => k.startsWith('ws-')).length,
        `${context}: ${JSON.stringify(fired)}`,
      ).toBeLessThan(wsKinds.length);
      // REST faults reach a websocket run only when it resyncs, so how many fire is left to chance here.
    }
  } finally {
    cancel();
    await p.stop('SIGKILL');
    await sim.close();
  }
}

describe('obi collect under a random schedule of every fault', () => {
  it(
    'websocket mode: true rows, one per tick, bounded memory, never exits, clean stop',
    async () => {
      await soak('ws', SOAK_LONG_MS);
    },
    SOAK_LONG_MS + 60_000,
  );

  it(
    'poll mode (REST faults): true rows, in order, bounded memory, never exits, clean stop',
    async () => {
      await soak('poll', SOAK_MS);
    },
    SOAK_MS + 60_000,
  );
});
