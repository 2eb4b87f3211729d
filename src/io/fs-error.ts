/** Human-readable descriptions of Node file-system errors, for messages that name the path and the cause. */

/** Returns the `code` of a Node system error (`ENOENT`, `ENOSPC`, …), if it has one. */
export function fsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Returns a short human description of a Node fs error. */
export function describeFsError(error: unknown): string {
  const code = fsErrorCode(error);
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EISDIR':
      return 'is a directory (EISDIR)';
    case 'ENOTDIR':
      return 'a parent is not a directory (ENOTDIR)';
    case 'ENOSPC':
      return 'no space left on device (ENOSPC)';
    case 'EEXIST':
      return 'file exists (EEXIST)';
    case 'EPIPE':
      return 'the reading end of the pipe was closed (EPIPE)';
    case 'EROFS':
      return 'read-only file system (EROFS)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
