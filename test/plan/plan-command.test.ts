import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSymbolsFile, registerPlan } from '../../src/cli/plan-command.js';
import { ConfigError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obi-plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function plan(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerPlan(program);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'obi', 'plan', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('obi plan', () => {
  it('prints the arithmetic, each collector with its command line, and the consumer', async () => {
    const text = await plan([
      '--symbol-count',
      '2000',
      '--snapshot-limit',
      '1000',
      '--publish',
      'nats://10.0.0.5:4222',
    ]);
    expect(text).toContain(
      'one collector takes at most 480 symbols (startup sync weight) → at least 5 collectors',
    );
    expect(text.match(/^ {2}obi collect --mode ws --symbol /gm)).toHaveLength(5);
    expect(text).toContain('--snapshot-limit 1000 --minutes 0 --publish nats://10.0.0.5:4222');
    expect(text).toContain('  obi consume nats://10.0.0.5:4222\n');
  });

  it('poll mode asks for max(levels, 5) levels capped by --depth-limit, as obi collect does', async () => {
    const json = JSON.parse(
      await plan(['--symbols', 'BTCUSDT,ETHUSDT', '--mode', 'poll', '--interval', '1', '--json']),
    );
    expect(json).toMatchObject({
      mode: 'poll',
      depthLimit: 20,
      weightPerRequest: 5,
      capacityPerCollector: 16,
      minCollectors: 1,
    });
  });

  it('reads symbols from a file, one per line or comma-separated', async () => {
    const file = join(dir, 'symbols.txt');
    await writeFile(file, 'btcusdt\nETHUSDT, SOLUSDT\n\nBTCUSDT\n');
    expect(readSymbolsFile(file)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(await plan(['--symbols-file', file, '--collectors', '2'])).toContain(
      'collector 2: 1 symbol (SOLUSDT)',
    );
    expect(() => readSymbolsFile(join(dir, 'missing.txt'))).toThrow(ConfigError);
  });

  it('refuses too few collectors and ambiguous symbol sources', async () => {
    await expect(
      plan(['--symbol-count', '2000', '--snapshot-limit', '1000', '--collectors', '4']),
    ).rejects.toThrow(/at least 5 collectors/);
    await expect(plan(['--symbols', 'BTCUSDT', '--symbol-count', '3'])).rejects.toThrow(ConfigError);
    await expect(plan([])).rejects.toThrow(/give the symbols once/);
  });
});
