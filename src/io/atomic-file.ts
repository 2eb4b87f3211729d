/**
 * Writing a whole file atomically: readers see the old content or the new, never a prefix. The data go to
 * a temporary file in the same directory (so rename stays within one file system, where POSIX rename(2) is
 * atomic), are fsync-ed, then renamed over the target.
 *
 * Only a regular file is replaced that way. A symbolic link is followed (the file it names is replaced, the
 * link stays), and a target that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in
 * place: renaming over it would replace the device node itself, which as root destroys `/dev/null`.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, realpath, rename, unlink } from 'node:fs/promises';
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
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const path = await resolveTarget(target);
  if (path === null) {
    await writeInPlace(target, data, options.force ?? true);
    return;
  }
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
    throw toOutputError(target, error);
  }
  await syncDirectory(dirname(path));
}

/**
 * Returns the path to replace: `target` itself, or the file a symbolic link names; null when the target
 * exists and is not a regular file (a device, a FIFO), which must be written in place.
 */
async function resolveTarget(target: string): Promise<string | null> {
  let info;
  try {
    info = await lstat(target);
  } catch {
    return target;
  }
  if (info.isSymbolicLink()) {
    let resolved: string;
    try {
      resolved = await realpath(target);
    } catch {
      // A dangling link: replaced by the file, as before.
      return target;
    }
    return resolveTarget(resolved);
  }
  return info.isFile() || info.isDirectory() ? target : null;
}

/** Writes `data` into an existing non-regular file (a device or a FIFO) without replacing it. */
async function writeInPlace(path: string, data: string | Uint8Array, force: boolean): Promise<void> {
  try {
    if (!force) {
      const error = Object.assign(new Error(`EEXIST: file already exists, open '${path}'`), {
        code: 'EEXIST',
      });
      throw error;
    }
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw toOutputError(path, error);
  }
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
