/** Versions of the installed reference libraries, read from their package.json (their `exports` hide it). */
import { readFileSync } from 'node:fs';

/** Returns the version of the installed package `name`, or `?` when it cannot be read. */
export function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}
