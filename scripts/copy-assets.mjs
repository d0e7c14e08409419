// Copies the non-TypeScript files the compiled code reads at run time into dist/.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const assets = ['main/core/shell/integration.ps1', 'main/core/shell/reset.ps1', 'main/core/shell/leftovers.ps1'];
for (const file of assets) {
  const target = path.join('dist', file);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(file, target);
}
