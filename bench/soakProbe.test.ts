import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fileKind, isPwsh, isUnder, SOAK_TAG_VARIABLE, survivors, taggedProcesses } from './soakProbe.js';
import { grownKinds } from './soakVerdict.js';

const onLinux = process.platform === 'linux';

describe('what the soak probe counts', () => {
  it('folds numbers and hex runs so files of one kind share a name', () => {
    expect(fileKind('CoreFxPipe_PSHost.DD84941C.8346.None.dotnet')).toBe('CoreFxPipe_PSHost.#.#.None.dotnet');
    expect(fileKind('12345/session-7/session.ps1')).toBe('#/session-#/session.ps#');
  });

  it('tells which kinds of files grew', () => {
    expect(grownKinds({ a: 1, b: 2 }, { a: 1, b: 5, c: 1 })).toEqual(['b +3', 'c +1']);
    expect(grownKinds({ a: 3 }, { a: 1 })).toEqual([]);
  });

  it('knows pwsh by its name or as the dotnet host running pwsh.dll (the dotnet tool)', () => {
    expect(isPwsh('pwsh', '/opt/microsoft/powershell/7/pwsh -NoLogo')).toBe(true);
    expect(isPwsh('dotnet', '/usr/bin/dotnet /root/.dotnet/tools/.store/powershell/7.6.9/powershell/7.6.9/tools/net10.0/any/unix/pwsh.dll -NoLogo')).toBe(true);
    expect(isPwsh('dotnet', 'dotnet build')).toBe(false);
    expect(isPwsh('sleep', 'sleep 301')).toBe(false);
  });

  it('follows parents up to the ancestor, and stops at init or a loop', () => {
    const parents = new Map([
      [10, 5],
      [5, 2],
      [2, 1],
      [7, 1],
      [20, 21],
      [21, 20],
    ]);
    expect(isUnder(10, 2, parents)).toBe(true);
    expect(isUnder(7, 2, parents)).toBe(false);
    expect(isUnder(20, 2, parents)).toBe(false);
  });

  it.runIf(onLinux)('finds a process by the tag in its environment, also a grandchild, and not an untagged one (Linux-only: /proc)', async () => {
    const tag = randomUUID();
    const tagged = spawn('bash', ['--norc', '--noprofile', '-c', 'sleep 60 & wait'], { env: { ...process.env, HISTFILE: '', [SOAK_TAG_VARIABLE]: tag }, stdio: 'ignore' });
    const untagged = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      let found: ReturnType<typeof taggedProcesses> = { tagged: [], parents: new Map() };
      for (let i = 0; i < 50 && found.tagged.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
        found = taggedProcesses(tag);
      }
      const names = found.tagged.map((p) => p.comm).sort();
      expect(names).toEqual(['bash', 'sleep']);
      expect(found.tagged.some((p) => p.pid === untagged.pid)).toBe(false);
      const sleeper = found.tagged.find((p) => p.comm === 'sleep')!;
      expect(isUnder(sleeper.pid, tagged.pid!, found.parents)).toBe(true);
      expect(survivors(tag)).toHaveLength(2);
    } finally {
      const sleeper = taggedProcesses(tag).tagged.find((p) => p.comm === 'sleep');
      if (sleeper) process.kill(sleeper.pid, 'SIGKILL');
      tagged.kill('SIGKILL');
      untagged.kill('SIGKILL');
    }
  });
});
