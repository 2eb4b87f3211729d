#!/usr/bin/env node
/**
 * `obi` — the command line. The only place that reads argv and the environment, prints for people, and
 * maps errors to exit codes (src/cli/exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { isObiError } from '../errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { registerCollect } from './collect-command.js';
import { registerDemo } from './demo-command.js';
import { registerReplay } from './replay-command.js';
import { registerSim } from './sim-command.js';
import { registerReport } from './report-command.js';
import { registerServe } from './serve-command.js';
import { registerConsume } from './consume-command.js';
import { registerPlan } from './plan-command.js';
import { registerAnalyze } from './analyze-command.js';
import { VERSION } from '../version.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('obi')
    .description(
      'Order-book imbalance signals from public L2 depth.\n' +
        'Run `obi demo` to try it offline against the built-in exchange.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCollect(program);
  registerDemo(program);
  registerReplay(program);
  registerSim(program);
  registerReport(program);
  registerServe(program);
  registerConsume(program);
  registerPlan(program);
  registerAnalyze(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit through here with code 0; every parse error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const code = exitCodeFor(error);
    if (isObiError(error)) {
      process.stderr.write(`obi: ${error.message}\n`);
    } else {
      process.stderr.write(
        `obi: unexpected error (a bug; please report it):\n${String((error as Error)?.stack ?? error)}\n`,
      );
    }
    return code;
  }
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
