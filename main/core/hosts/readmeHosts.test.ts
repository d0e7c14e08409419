import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { sshArgs } from './sshCommand.js';

// The README's remote hosts example is what a user copies: it must load as it stands, and give ssh
// the safety options whatever the entry says.
it("the README's remote hosts example loads (comments included), with its defaults and ssh's safety options", () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
  const block = /```jsonc\n\/\/ config\.json\n(\{\n {2}"hosts"[\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-readme-hosts-'));
  try {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, block![1]!);
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.reason);
    const [winvm, build] = loaded.config.hosts;
    expect(winvm).toMatchObject({ name: 'winvm', ssh: 'me@winvm.local', windows: true, labels: ['windows'], maxSessions: 2, warmSessions: 1 });
    expect(build).toMatchObject({ name: 'build', port: 2222, maxSessions: 4, warmSessions: 2, labels: ['linux', 'build'] });
    expect(loaded.config.localLabels).toEqual(['laptop']);
    const args = sshArgs(build!);
    expect(args).toEqual(expect.arrayContaining(['-tt', 'StrictHostKeyChecking=yes', 'BatchMode=yes', 'IdentitiesOnly=yes']));
    expect(args.slice(-2)).toEqual(['--', 'ci@build.example.com']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
