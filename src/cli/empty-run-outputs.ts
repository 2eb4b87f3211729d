/**
 * A live run that fails before its first row (an unknown symbol, an unreachable host, a TLS error) removes
 * the files it created: they hold a header and nothing else, and left in place they would make the same
 * command, run again once the problem is fixed, refuse to overwrite them. Only this run's new files are
 * removed, and only when its CSV has no row; a resumed run's files are never touched.
 */
import { lstat, readFile, rm } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { isSingleFileRecording } from '../io/recording-writer.js';
import type { OutputFlags } from './common-flags.js';

export class EmptyRunOutputs {
  private paths: { readonly csv: string; readonly others: readonly string[] } | null = null;

  /** Notes the files this run creates (or overwrites with --force); call once its checks have passed. */
  created(flags: OutputFlags, record: string | null): void {
    this.paths = {
      csv: flags.csv,
      others: [
        flags.json,
        ...(flags.parquet !== undefined ? [flags.parquet] : []),
        ...(flags.report !== undefined ? [flags.report] : []),
        ...(record !== null && isSingleFileRecording(record) ? [record] : []),
      ],
    };
  }

  /** After a failed run: removes the noted files when the CSV holds no row; returns what was removed. */
  async removeIfEmpty(): Promise<string[]> {
    const paths = this.paths;
    if (paths === null || !(await holdsNoRow(paths.csv))) return [];
    const removed: string[] = [];
    for (const path of [paths.csv, ...paths.others]) {
      // Never a device (/dev/full as --csv), a FIFO or a link: only a plain file this run wrote.
      if (!(await isRegularFile(path))) continue;
      if (path === paths.csv || !isSingleFileRecording(path) || (await holdsOnlyHeaders(path))) {
        const gone = await rm(path).then(
          () => true,
          () => false,
        );
        if (gone) removed.push(path);
      }
    }
    return removed;
  }
}

/** True for a regular file (not a device, FIFO, directory or symbolic link). */
async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

/** True when the CSV is a regular file that is empty or holds its header line alone. */
async function holdsNoRow(path: string): Promise<boolean> {
  if (!(await isRegularFile(path))) return false;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false;
  }
  const first = text.indexOf('\n');
  return first === -1 || first === text.length - 1;
}

/** True when every line of the recording (plain or gzip, read as far as it goes) is a header. */
async function holdsOnlyHeaders(path: string): Promise<boolean> {
  try {
    let bytes: Buffer = await readFile(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b)
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    return bytes
      .toString('utf8')
      .split('\n')
      .every((line) => line.trim() === '' || line.startsWith('{"obi_recording"'));
  } catch {
    return false;
  }
}
