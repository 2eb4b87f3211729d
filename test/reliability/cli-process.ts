/** The built `obi` CLI as a child process: started, waited for, killed, with its output collected. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');

/** Returns the newest modification time (ms) of the files below `dir`. */
function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than any source file. */
export function ensureBuilt(): void {
  const fresh = existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtimeMs(join(ROOT, 'src'));
  if (!fresh) execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore' });
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `obi` process. */
export class ObiProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly finished: Promise<Finished>;

  constructor(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    this.finished = new Promise((done) => {
      this.child.on('close', (code, signal) =>
        done({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` (if still running) and waits for the end. */
  async stop(signal: NodeJS.Signals): Promise<Finished> {
    if (this.running) this.child.kill(signal);
    return this.finished;
  }
}

/** Runs `obi args` to the end (killed after `timeoutMs`). */
export async function obi(
  args: readonly string[],
  cwd: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Finished> {
  const p = new ObiProcess(args, cwd, options.env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    return await p.finished;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` of real time (to place a kill within a run; never used to assert on time). */
export function after(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
