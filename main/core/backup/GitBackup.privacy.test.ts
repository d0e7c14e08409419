import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitFixture, useGitFixture } from '../../../test/gitFixture.js';
import { platformFor } from '../platform/Platform.js';
import { GitBackup } from './GitBackup.js';
import { declaresSharing, privacyConfig } from './privateModes.js';
import { noteModes } from './restoreModes.js';

// Defect 5 of issue 14: a backed-up 0600 .env became a 0444 git object under 0755 directories, so
// another local user could read it through git. Real git, real files, modes read back from disk.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

/** Every entry under `dir` whose mode lets the group or others in, as "0755 rel/path". */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = path.join(abs, entry.name);
      const mode = lstatSync(child).mode & 0o777;
      if ((mode & 0o077) !== 0) found.push(`0${mode.toString(8)} ${path.relative(dir, child)}`);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk(dir);
  return found;
}

/** The loose object file of `id` in a git dir. */
function objectFile(gitDir: string, id: string): string {
  return path.join(gitDir, 'objects', id.slice(0, 2), id.slice(2));
}

function secretFolder(name: string, repo: boolean): string {
  const dir = repo ? fx.repo(name, { 'README.md': 'readme\n' }) : fx.dir(name, { 'README.md': 'readme\n' });
  writeFileSync(path.join(dir, '.env'), 'GITHUB_TOKEN=ghp_notARealTokenButSecretEnough000000000\n', { mode: 0o600 });
  return dir;
}

describe('backups are the user alone’s (POSIX modes)', () => {
  it('a folder outside any repository: nothing under its backup data (repository, objects, refs, indexes) is open to the group or others', async () => {
    const folder = secretFolder('plain', false);
    const dataDir = fx.dataDir();
    const gb = new GitBackup({ folder, dataDir, env: fx.env, platform: platformFor('linux') });
    const made = await gb.backup();
    expect(made).toMatchObject({ ok: true, kind: 'created' });
    writeFileSync(path.join(folder, '.env'), 'GITHUB_TOKEN=changed\n', { mode: 0o600 });
    const second = await gb.backup();
    if (!second.ok || second.kind !== 'created') throw new Error(JSON.stringify(second));
    expect(await gb.restore(second.id)).toMatchObject({ ok: true });

    expect(readdirSync(path.join(dataDir, 'repo.git', 'objects')).length).toBeGreaterThan(2);
    expect(openToOthers(dataDir)).toEqual([]);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('a backup data dir an earlier version made 0755 is tightened, and its old repository gets private objects from then on', async () => {
    const folder = secretFolder('plain', false);
    const dataDir = fx.dataDir();
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    fx.git(fx.root, 'init', '-q', '--bare', path.join(dataDir, 'repo.git'));
    const r = await new GitBackup({ folder, dataDir, env: fx.env, platform: platformFor('linux') }).backup();
    if (!r.ok || r.kind !== 'created') throw new Error(JSON.stringify(r));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const blob = fx.git(folder, '--git-dir', path.join(dataDir, 'repo.git'), 'rev-parse', `${r.id}:.env`).trim();
    expect(statSync(objectFile(path.join(dataDir, 'repo.git'), blob)).mode & 0o777).toBe(0o400);
  });

  it("in the user's repository, the objects and ref a backup writes are 0400/0600 and new object dirs 0700", async () => {
    const repo = secretFolder('repo', true);
    const r = await new GitBackup({ folder: repo, dataDir: fx.dataDir(), env: fx.env, platform: platformFor('linux') }).backup();
    if (!r.ok || r.kind !== 'created') throw new Error(JSON.stringify(r));
    const gitDir = path.join(repo, '.git');
    const blob = fx.git(repo, 'rev-parse', `${r.id}:.env`).trim();
    for (const id of [blob, r.id, fx.git(repo, 'rev-parse', `${r.id}^{tree}`).trim()]) {
      expect((statSync(objectFile(gitDir, id)).mode & 0o777).toString(8)).toBe('400');
    }
    expect(statSync(path.join(gitDir, 'refs', 'poshpool', 'backups', 'main')).mode & 0o077).toBe(0);
    // The user's git reads them as ever.
    expect(fx.git(repo, 'cat-file', '-p', blob)).toContain('GITHUB_TOKEN=');
  });

  it('a repository that declares sharing with its group (core.sharedRepository=group) keeps it for backup objects', async () => {
    const repo = secretFolder('shared', true);
    fx.git(repo, 'config', 'core.sharedRepository', 'group');
    const r = await new GitBackup({ folder: repo, dataDir: fx.dataDir(), env: fx.env, platform: platformFor('linux') }).backup();
    if (!r.ok || r.kind !== 'created') throw new Error(JSON.stringify(r));
    const blob = fx.git(repo, 'rev-parse', `${r.id}:.env`).trim();
    expect(statSync(objectFile(path.join(repo, '.git'), blob)).mode & 0o040).toBe(0o040);
  });
});

describe('a restore keeps file modes (POSIX)', () => {
  it('a 0600 .env restored, whole or alone, stays 0600; an executable stays executable with its own bits', async () => {
    for (const kind of ['plain', 'repo'] as const) {
      const folder = secretFolder(`keep-${kind}`, kind === 'repo');
      writeFileSync(path.join(folder, 'run.sh'), '#!/bin/sh\n', { mode: 0o700 });
      chmodSync(path.join(folder, 'run.sh'), 0o700);
      const gb = new GitBackup({ folder, dataDir: fx.dataDir(), env: fx.env, platform: platformFor('linux') });
      const r = await gb.backup();
      if (!r.ok || r.kind !== 'created') throw new Error(JSON.stringify(r));
      writeFileSync(path.join(folder, '.env'), 'GITHUB_TOKEN=changed\n');
      writeFileSync(path.join(folder, 'run.sh'), '#!/bin/sh\necho changed\n');
      expect(await gb.restore(r.id, '.env')).toMatchObject({ ok: true, restored: ['.env'] });
      expect((statSync(path.join(folder, '.env')).mode & 0o777).toString(8)).toBe('600');
      writeFileSync(path.join(folder, '.env'), 'GITHUB_TOKEN=changed again\n');
      expect(await gb.restore(r.id)).toMatchObject({ ok: true, restored: expect.arrayContaining(['.env', 'run.sh']) });
      expect((statSync(path.join(folder, '.env')).mode & 0o777).toString(8)).toBe('600');
      expect((statSync(path.join(folder, 'run.sh')).mode & 0o777).toString(8)).toBe('700');
    }
  });

  it('Windows: no mode is noted or put back (the ACL inherited from the folder decides)', () => {
    const file = path.join(fx.root, 'a.env');
    writeFileSync(file, 'x', { mode: 0o600 });
    expect(noteModes([file], platformFor('win32')).size).toBe(0);
    expect(noteModes([file], platformFor('linux')).get(file)).toBe(0o600);
  });
});

describe('privacyConfig (the platform seam decides)', () => {
  it('POSIX: core.sharedRepository=0600 unless the repository declares sharing', () => {
    expect(privacyConfig(platformFor('linux'))).toEqual(['core.sharedRepository=0600']);
    expect(privacyConfig(platformFor('darwin'), 'umask')).toEqual(['core.sharedRepository=0600']);
    expect(privacyConfig(platformFor('linux'), 'false')).toEqual(['core.sharedRepository=0600']);
    expect(privacyConfig(platformFor('linux'), 'group')).toEqual([]);
    expect(privacyConfig(platformFor('linux'), '0640')).toEqual([]);
    expect(privacyConfig(platformFor('linux'), '0600')).toEqual(['core.sharedRepository=0600']);
  });

  it('Windows: nothing is passed to git, the inherited ACL of the data dir restricts (chmod only toggles read-only there)', () => {
    // UCRT chmod.cpp: "The only supported mode bit is _S_IWRITE"; the data dir's ACE is (OI)(CI), see platform/userOnly.ts.
    expect(privacyConfig(platformFor('win32'))).toEqual([]);
    expect(privacyConfig(platformFor('win32'), 'umask')).toEqual([]);
  });

  it('declaresSharing reads git-config(1)’s values', () => {
    for (const v of ['group', 'true', '1', 'all', 'world', 'everybody', '2', '0660', '0644', 'GROUP']) expect(declaresSharing(v)).toBe(true);
    for (const v of [undefined, '', 'false', 'umask', '0', '0600', '0700', 'nonsense']) expect(declaresSharing(v)).toBe(false);
  });
});
