import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('the pages’ browser scripts', () => {
  it('type-check against the DOM and uPlot’s types (scripts/tsconfig.client.json)', async () => {
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [TSC, '-p', 'scripts/tsconfig.client.json'],
        { cwd: ROOT },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: stdout + stderr });
        },
      );
    });
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
