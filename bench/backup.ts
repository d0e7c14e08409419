import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { GitBackup } from '../main/core/backup/GitBackup.js';

/** Backup times of a large repository: the first backup, and later ones, each after `changed` edits. */
export interface BackupBench {
  files: number;
  changed: number;
  firstMs: number[];
  laterMs: number[];
}

/**
 * A repository of `files` committed files in 100 directories; `changed` of them are edited before
 * each backup. Times GitBackup.backup(), i.e. the work from the end of the quiet period to the backup
 * ref moved. The first backup (no private index yet) is timed on `rounds` fresh data dirs.
 */
export async function measureBackups(files: number, changed: number, rounds: number): Promise<BackupBench> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-backup-'));
  const repo = path.join(work, 'repo');
  const env = { PATH: process.env.PATH, HOME: work, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: repo, env, stdio: 'ignore' });
  try {
    mkdirSync(repo);
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'bench');
    git('config', 'user.email', 'bench@example.invalid');
    for (let d = 0; d < 100; d++) {
      mkdirSync(path.join(repo, `dir${d}`));
      for (let f = 0; f < files / 100; f++) writeFileSync(path.join(repo, `dir${d}`, `file${f}.txt`), `dir ${d} file ${f}\n`.repeat(20));
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'ten thousand files');
    let edit = 0;
    const touch = (): void => {
      for (let i = 0; i < changed; i++) {
        edit++;
        writeFileSync(path.join(repo, `dir${(edit * 7) % 100}`, `file${edit % (files / 100)}.txt`), `edit ${edit}\n`);
      }
    };
    const firstMs: number[] = [];
    const laterMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const backup = new GitBackup({ folder: repo, dataDir: path.join(work, `data${r}`) });
      touch();
      let t0 = performance.now();
      const first = await backup.backup();
      firstMs.push(performance.now() - t0);
      if (!first.ok || first.kind !== 'created') throw new Error(`first backup did not create: ${JSON.stringify(first)}`);
      touch();
      t0 = performance.now();
      const later = await backup.backup();
      laterMs.push(performance.now() - t0);
      if (!later.ok || later.kind !== 'created' || later.filesChanged !== changed) throw new Error(`later backup: ${JSON.stringify(later).slice(0, 300)}`);
    }
    return { files, changed, firstMs, laterMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
