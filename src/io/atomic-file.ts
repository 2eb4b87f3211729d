/**
 * Writing a whole file atomically: readers see the old content or the new, never a prefix. The data go to
 * a temporary file in the same directory (so rename stays within one file system, where POSIX rename(2) is
 * atomic), are fsync-ed, then renamed over the target.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toOutputError } from './output-stream.js';

/** Options of `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /**
   * Replace an existing file. Without it, an existing target fails with an OutputError (checked atomically
   * with link(2), so two writers cannot both win).
   * @default true
   */
  readonly force?: boolean;
}

/** Writes `data` to `path` atomically. Failures become an OutputError naming `path`; no temporary file is left. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.force ?? true) {
      await rename(temp, path);
    } else {
      await link(temp, path);
      await unlink(temp);
    }
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw toOutputError(path, error);
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename durable (the directory entry), best effort: not every platform can fsync a directory. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability only; the file is already complete and in place.
  }
}
