/**
 * Fuzzing the command line in process: random argument lists built from the real flags (and some that do not
 * exist) with hostile values, run through the real commands (collect, replay, report, analyze) as the `obi`
 * program registers them. Each run ends with success, a usage error from the flag parser (CommanderError),
 * or an ObiError — what the CLI turns into a message and an exit code — never another error, never a hang.
 * Network stays on 127.0.0.1 (closed ports); files stay in a temporary directory.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isObiError } from '../../src/errors.js';
import { registerCollect } from '../../src/cli/collect-command.js';
import { registerReplay } from '../../src/cli/replay-command.js';
import { registerReport } from '../../src/cli/report-command.js';
import { registerAnalyze } from '../../src/cli/analyze-command.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/seed/snapshots.ndjson');
const SEED_CSV_SOURCE = resolve(import.meta.dirname, '../fixtures/seed/expected.csv');
/** A copy in the temporary directory: analyze writes its JSON beside the CSV. */
const SEED_CSV = 'seed.csv';
const dir = mkdtempSync(join(tmpdir(), 'obi-fuzz-cli-'));
let cwd = '';

beforeAll(() => {
  cwd = process.cwd();
  // Relative output paths (the defaults among them) land here, never in the repository.
  process.chdir(dir);
  writeFileSync('garbage.txt', 'hello\nworld\n');
  copyFileSync(SEED_CSV_SOURCE, SEED_CSV);
});
afterAll(() => {
  process.chdir(cwd);
});

/** The obi program with the commands that finish on their own (sim, serve and demo run until stopped). */
function program(): Command {
  const p = new Command()
    .name('obi')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  registerCollect(p);
  registerReplay(p);
  registerReport(p);
  registerAnalyze(p);
  return p;
}

/** Each flag with values it accepts, values at and past its limits, and a few it must refuse. */
const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  '--levels': ['1', '5', '20', '5000', '5001'],
  '--interval': ['0.1', '0.25', '1', '0.05', '0.001', '1e-9'],
  '--ema': ['1', '30', '1000001'],
  '--obi-levels': ['1,5', '1,5,10,20', '0', '5000,1'],
  '--decay-alpha': ['0', '0.5'],
  '--ofi-levels': ['1', '5', '101'],
  '--extreme-quantile': ['0.9', '1'],
  '--horizons': ['none', '1s', '1s,5s', '500ms,1s', '1s,1s', '0s', '2m'],
  '--label-price': ['mid', 'weighted_mid', 'last'],
  '--lead-lag': ['0', '10', '1000', '1001'],
  '--gate-input': ['obi', 'obi_ema', 'tfi', 'ofi'],
  '--gate-entry': ['0.5', '0.1'],
  '--gate-exit': ['0.2', '0.6'],
  '--gate-entry-quantile': ['0.9', '0.5', '1.5'],
  '--gate-exit-quantile': ['0.6', '0.95'],
  '--gate-window': ['10', '300', '99999999999'],
  '--gate-persist': ['1', '3', '99999999999'],
  '--gate-persist-sec': ['0', '5'],
  '--gate-vpin-min': ['0.3'],
  '--predict-horizon': ['1s', '5s', '7s'],
  '--predict-lr': ['0.01', '1e9'],
  '--predict-l2': ['0', '0.0001'],
  '--tfi-window': ['10', '1e-9'],
  '--vpin-bar': ['1', '1e-9'],
  '--vpin-bucket-volume': ['1', '1e-300'],
  '--vpin-buckets': ['5', '50', '99999999999'],
  '--symbol': ['BTCUSDT', 'BTCUSDX', 'btcusdt,ETHUSDT', 'BTC USDT'],
  '--minutes': ['0', '0.01', '1e-9'],
  '--depth-limit': ['5', '5000', '10000'],
  '--timeout': ['0.5', '1e-9'],
  '--exchange': ['binance', 'binance-us', 'kraken'],
  '--market': ['spot', 'futures'],
  '--mode': ['ws', 'poll'],
  '--sample': ['cadence', 'event'],
  '--snapshot-limit': ['5', '500', '5000', '5001'],
  '--max-streams': ['1', '1024', '2000'],
  '--record': ['rec.ndjson.gz', 'recdir', 'garbage.txt/rec.ndjson'],
  '--csv': ['out.csv', 'missing-dir/x.csv', 'garbage.txt/x.csv', 'recdir'],
  '--json': ['out.json', 'missing-dir/x.json', 'garbage.txt/x.json'],
  '--parquet': ['x.parquet', 'missing-dir/x.parquet'],
  '--stdout': ['ndjson', 'csv', 'xml'],
  '--report': ['report.html', 'missing-dir/r.html'],
  '--dashboard': ['0', '127.0.0.1:0', '99999', 'not-a-port'],
  '--base-url': ['http://127.0.0.1:1', 'ftp://x', 'http://u:p@127.0.0.1:1', 'https://127.0.0.1:1'],
  '--ws-url': ['ws://127.0.0.1:1', 'http://127.0.0.1:1'],
  '--title': ['t'],
  '--out': ['report2.html'],
};
const SWITCHES = [
  '--trades',
  '--force',
  '--resume',
  '--quiet',
  '--no-verify-ssl',
  '--no-such-flag',
  '-x',
  '--',
];
const NASTY = [
  '',
  ' ',
  '-1',
  'NaN',
  '1e309',
  'Infinity',
  'x'.repeat(100),
  '9007199254740993',
  '__proto__',
  '$(touch pwned)',
  '`touch pwned`',
  '%s%n',
  '\u0000',
  '\u202e',
];

/** A flag with a value (mostly one it was made for), or a switch. */
const token = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom(...Object.keys(FLAG_VALUES))
      .chain((flag) =>
        fc
          .oneof(
            { weight: 4, arbitrary: fc.constantFrom(...(FLAG_VALUES[flag] as string[])) },
            { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
          )
          .map((v) => [flag, v]),
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom(...SWITCHES).map((s) => [s]) },
);

const args = fc
  .tuple(
    fc.constantFrom<string[]>(
      [],
      ['collect'],
      ['replay', FIXTURE],
      ['replay', 'garbage.txt'],
      ['replay', 'nope.ndjson'],
      ['replay', dir],
      ['report'],
      ['analyze', SEED_CSV],
      ['analyze', 'garbage.txt'],
      ['analyze', 'out.csv'],
    ),
    fc.array(token, { maxLength: 5 }).map((ts) => ts.flat()),
  )
  .map(([command, rest]) => {
    const live = command.length === 0 || command[0] === 'collect';
    const fresh = command[0] === 'report' || command[0] === 'analyze' ? [] : freshOutputs();
    // Collect against closed loopback ports only; these come last, so they win over fuzzed ones.
    const network = live ? ['--base-url', 'http://127.0.0.1:1', '--ws-url', 'ws://127.0.0.1:1'] : [];
    return [...command, ...fresh, ...rest, ...network];
  });

let outputs = 0;
/** New output paths for each run (the fuzzed flags may still name others), so runs do not refuse to clobber. */
function freshOutputs(): string[] {
  outputs++;
  return ['--csv', `run${outputs}.csv`, '--json', `run${outputs}.json`];
}

/** Runs `argv` through the program; returns what ended it. */
async function run(argv: readonly string[]): Promise<unknown> {
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  // Swallow output, but complete writes as a stream would (sinks wait for their write callbacks).
  const swallow = ((_chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = swallow;
  process.stderr.write = swallow;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      program().parseAsync(['node', 'obi', ...argv]),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hung: obi ${argv.join(' ')}`)), 20_000);
      }),
    ]);
    return null;
  } catch (error) {
    return error;
  } finally {
    clearTimeout(timer);
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

const seen = new Map<string, number>();
afterAll(() => console.log(`cli fuzz outcomes: ${JSON.stringify(Object.fromEntries(seen))}`));

describe('the command line under fuzzing', () => {
  it('every argument list ends in success, a usage error or an ObiError', async () => {
    await fc.assert(
      fc.asyncProperty(args, async (argv) => {
        const outcome = await run(argv);
        const kind =
          outcome === null
            ? 'ok'
            : outcome instanceof CommanderError
              ? 'usage'
              : isObiError(outcome)
                ? (outcome as Error).name
                : 'other';
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        if (outcome === null || outcome instanceof CommanderError) return;
        expect(
          isObiError(outcome),
          `obi ${JSON.stringify(argv)}: ${String((outcome as Error)?.stack ?? outcome)}`,
        ).toBe(true);
      }),
      { numRuns: Number(process.env['OBI_FUZZ_RUNS'] ?? 120), endOnFailure: true },
    );
  }, 120_000);

  it('nothing from the arguments is run as a command', async () => {
    await run(['replay', FIXTURE, '--csv', '$(touch pwned).csv', '--json', '`touch pwned`.json', '--force']);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, '$(touch pwned).csv'))).toBe(true);
  });
});
