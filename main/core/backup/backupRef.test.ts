import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { backupRef } from './location.js';

/** Whether git takes a name as a ref (git check-ref-format, the real rules). */
function validRef(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('backupRef', () => {
  it('is refs/poshpool/backups/<branch> for a top folder and a sibling chain per subfolder', () => {
    expect(backupRef('main', '')).toBe('refs/poshpool/backups/main');
    expect(backupRef('main', 'app')).toMatch(/^refs\/poshpool\/backups\/main@app-[0-9a-f]{8}$/);
    expect(backupRef('feature/x', 'src/app')).toMatch(/^refs\/poshpool\/backups\/feature\/x@app-[0-9a-f]{8}$/);
    // Same last segment, different folders: different chains.
    expect(backupRef('main', 'a/app')).not.toBe(backupRef('main', 'b/app'));
    expect(backupRef('main', 'a/app')).toBe(backupRef('main', 'a/app'));
  });

  it('is a valid ref whatever the folder is called', () => {
    for (const folder of ['we ird', '..', 'x.lock', 'a..b', 'c~^:?*[\\\\', '@{u}', 'ünïcödé', '-', 'trailing.', '.hidden']) {
      const ref = backupRef('main', `parent/${folder}`);
      expect(validRef(ref), `${folder} -> ${ref}`).toBe(true);
    }
  });
});
