import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionDirs } from './sessionDirs.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function root(): string {
  const r = mkdtempSync(path.join(tmpdir(), 'poshpool-sessions-'));
  roots.push(r);
  return r;
}

describe('SessionDirs', () => {
  it("sweeps what poshpool processes that are gone left behind, never a live one's", async () => {
    const r = root();
    for (const name of ['111', '222', '333', 'notes']) {
      mkdirSync(path.join(r, name, 'session-x'), { recursive: true });
      writeFileSync(path.join(r, name, 'session-x', 'end-1.json'), '{}');
    }
    const dirs = new SessionDirs(r, 333, (pid) => pid === 222);
    const removed = await dirs.sweep();
    expect(removed).toEqual([path.join(r, '111')]);
    expect(existsSync(path.join(r, '111'))).toBe(false);
    expect(existsSync(path.join(r, '222', 'session-x'))).toBe(true); // a live process's
    expect(existsSync(path.join(r, '333', 'session-x'))).toBe(true); // our own
    expect(existsSync(path.join(r, 'notes'))).toBe(true); // not a process's
  });

  it('makes its own directory and removes it at the end', async () => {
    const r = root();
    const dirs = new SessionDirs(r);
    expect(dirs.dir).toBe(path.join(r, String(process.pid)));
    expect(existsSync(dirs.dir)).toBe(true);
    await dirs.dispose();
    expect(existsSync(dirs.dir)).toBe(false);
  });
});
