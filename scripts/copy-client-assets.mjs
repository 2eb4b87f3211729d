// After `npm run build` (npm runs this as `postbuild`): copies the pages' browser scripts and styles next to
// the bundle, into dist/client/, so a built obi serves its report and dashboard without the source tree.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'client');
mkdirSync(target, { recursive: true });
let copied = 0;
for (const folder of ['report', 'dashboard']) {
  const source = join(root, 'src', folder, 'client');
  for (const name of readdirSync(source)) {
    if (!/\.(js|css)$/.test(name)) continue;
    copyFileSync(join(source, name), join(target, name));
    copied++;
  }
}
console.log(`copied ${copied} page assets to dist/client/`);
