import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';

// The README's approval rules example is what a user copies: it must load as it stands.
it("the README's approval rules example loads (comments included) with every rule", () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
  const block = /```jsonc\n(\{\n {2}"approvals"[\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-readme-approvals-'));
  try {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, block![1]!);
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.config.approvals.rules).toHaveLength(6);
    expect(loaded.config.approvals.rules[0]).toEqual({ name: 'recursive delete', command: 'Remove-Item', parameters: ['Recurse'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
