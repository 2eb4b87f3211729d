import type { FileHandle } from 'node:fs/promises';

/** Returns up to `length` bytes of the file at byte `position` (fewer at its end). */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}
