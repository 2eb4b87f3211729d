/** writeFileAtomic replaces regular files only: links are followed, devices and FIFOs written in place. */
import { execFileSync } from 'node:child_process';
import { createReadStream, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic-file.js';
import { OutputError } from '../../src/errors.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'obi-atomic-'));

function hasMkfifo(): boolean {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('writeFileAtomic targets', () => {
  it('replaces the file a symbolic link names and keeps the link', async () => {
    const d = dir();
    writeFileSync(join(d, 'real.json'), 'old');
    symlinkSync('real.json', join(d, 'link.json'));
    await writeFileAtomic(join(d, 'link.json'), 'new');
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'real.json'), 'utf8')).toBe('new');
  });

  it.skipIf(!hasMkfifo())('writes into a FIFO instead of renaming over it', async () => {
    const d = dir();
    const fifo = join(d, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const chunks: Buffer[] = [];
    const reader = new Promise<string>((resolve, reject) => {
      createReadStream(fifo)
        .on('data', (c) => chunks.push(c as Buffer))
        .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        .on('error', reject);
    });
    await writeFileAtomic(fifo, '{"a":1}\n');
    expect(await reader).toBe('{"a":1}\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('refuses an existing non-regular target without force', async () => {
    await expect(writeFileAtomic('/dev/null', 'x', { force: false })).rejects.toThrow(OutputError);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
