/**
 * `obi consume` as a command: rows published to a private nats-server come out in its CSV, with the
 * collectors' columns, and a second run of the same command resumes instead of repeating them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusPublishing } from '../../src/bus/bus-publishing.js';
import { registerConsume } from '../../src/cli/consume-command.js';
import { findNatsServer, startNatsServer, type NatsServerProcess } from '../bus/nats-server-process.js';

const NATS = findNatsServer();
const venue = { exchange: 'binance', market: 'spot' };
const columns = ['timestamp', 'symbol', 'time_ms', 'obi', 'status'];

async function consume(args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerConsume(program);
  await program.parseAsync(['node', 'obi', 'consume', ...args]);
}

describe.skipIf(NATS === null)('obi consume', () => {
  let nats: NatsServerProcess;
  let dir: string;
  beforeAll(async () => {
    nats = await startNatsServer(NATS as string);
    dir = await mkdtemp(join(tmpdir(), 'obi-consume-'));
  });
  afterAll(async () => {
    await nats?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('writes the published rows to its CSV in the collectors` column order, and resumes on the next run', async () => {
    const bus = await BusPublishing.open(`${nats.url}?outbox=${join(dir, 'outbox')}`, {
      venue,
      symbols: ['A', 'B'],
    });
    const publish = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        await bus.publishRow(
          {
            timestamp: `t${i}`,
            symbol: i % 2 === 0 ? 'A' : 'B',
            time_ms: 1000 + i,
            obi: i % 4 === 0 ? Number.NaN : i / 10,
            status: 'ok',
          },
          columns,
        );
      }
      await bus.flush();
    };
    await publish(0, 20);
    const csv = join(dir, 'first.csv');
    const common = ['--idle-exit', '0.3', '--json', join(dir, 'm.json'), '--force', '--quiet'];
    await consume([nats.url, '--csv', csv, ...common]);
    const first = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(first[0]).toBe(columns.join(','));
    expect(first).toHaveLength(21);
    expect(first[1]).toBe('t0,A,1000,,ok');
    expect(first[2]).toBe('t1,B,1001,0.1,ok');
    const metrics = JSON.parse(await readFile(join(dir, 'm.json'), 'utf8'));
    expect(metrics.config).toMatchObject({ command: 'consume', durable: 'obi-rows-binance-spot-all' });

    await publish(20, 30);
    await bus.close();
    const second = join(dir, 'second.csv');
    await consume([nats.url, '--csv', second, ...common]);
    const lines = (await readFile(second, 'utf8')).trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(
      Array.from({ length: 10 }, (_, k) => String(1020 + k)),
    );
  });
});
