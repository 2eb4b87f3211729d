/**
 * Runs one benchmark part in a child Node process (its own heap, its own RSS, its own CPU account) and
 * returns the JSON it prints as its last stdout line. stderr passes through.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Returns the parsed last stdout line of `node --expose-gc --import tsx bench/<script> ...args`. */
export async function runJsonChild<T>(script: string, args: readonly string[]): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || last === '') throw new Error(`bench/${script} exited with code ${code}`);
  return JSON.parse(last) as T;
}
