/**
 * The run's metrics file: pretty JSON (2-space indent, trailing newline), written atomically. Numbers JSON
 * cannot hold (NaN, ±Infinity, e.g. a correlation of a constant series) become `null` anywhere in the object,
 * which is what Python's `json` would need anyway (`NaN` is not valid JSON).
 */
import { OutputError } from '../../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import type { AtomicWriteOptions } from '../atomic-file.js';

/** Returns the file text for `value`: NaN/±Infinity → null, 2-space indent, trailing newline. */
export function formatMetricsJson(value: unknown): string {
  // JSON.stringify already writes non-finite numbers as null; the replacer makes it explicit, and also
  // covers -0 (written as 0).
  const text = JSON.stringify(
    value,
    (_key, v: unknown) =>
      typeof v === 'number' ? (Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null) : v,
    2,
  ) as string | undefined;
  // JSON.stringify(undefined) is undefined, not a string.
  return (text ?? 'null') + '\n';
}

/**
 * Writes `value` as the metrics JSON file at `path`, atomically (readers never see a partial file).
 * Throws an OutputError when the path is unwritable or the value cannot be serialised (a cycle, a BigInt).
 */
export async function writeMetricsJson(
  path: string,
  value: unknown,
  options: AtomicWriteOptions = {},
): Promise<void> {
  let text: string;
  try {
    text = formatMetricsJson(value);
  } catch (error) {
    throw new OutputError(`cannot serialise the metrics for ${path}: ${String(error)}`, path, {
      cause: error,
    });
  }
  await writeFileAtomic(path, text, options);
}
