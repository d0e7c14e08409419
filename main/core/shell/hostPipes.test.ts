import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onPosix } from '../../../test/platformGates.js';
import { SessionFixture } from '../../../test/pwsh.js';
import { hostPipePid, removeHostPipes } from './hostPipes.js';

// pwsh's Enter-PSHostProcess socket (CoreFxPipe_PSHost.*) is removed by pwsh only when it exits
// cleanly; poshpool ends pwsh by killing it, and hundreds of these files piled up in the temp dir.

describe('host pipe names', () => {
  it('reads the pid from a host pipe name and nothing else', () => {
    expect(hostPipePid('CoreFxPipe_PSHost.DD84941C.8346.None.dotnet')).toBe(8346);
    expect(hostPipePid('CoreFxPipe_PSHost.dd84941c.12.DefaultAppDomain.pwsh')).toBe(12);
    expect(hostPipePid('CoreFxPipe_other.DD84941C.8346.None.dotnet')).toBeUndefined();
    expect(hostPipePid('CoreFxPipe_PSHost.DD84941C.x.None.dotnet')).toBeUndefined();
  });
});

describe.runIf(onPosix)('removing host pipes (POSIX-only: they are socket files there)', () => {
  const servers: Server[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function socketAt(file: string): Promise<void> {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(file, resolve));
  }

  it('removes the sockets of ended processes only, never a regular file or a live process’s', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-pipes-'));
    await socketAt(path.join(dir, 'CoreFxPipe_PSHost.AA.111.None.pwsh'));
    await socketAt(path.join(dir, 'CoreFxPipe_PSHost.AA.222.None.pwsh'));
    writeFileSync(path.join(dir, 'CoreFxPipe_PSHost.AA.333.None.pwsh'), 'not a socket');
    const removed = removeHostPipes(dir, (pid) => pid !== 222);
    expect(removed).toEqual([path.join(dir, 'CoreFxPipe_PSHost.AA.111.None.pwsh')]);
    expect(readdirSync(dir).sort()).toEqual(['CoreFxPipe_PSHost.AA.222.None.pwsh', 'CoreFxPipe_PSHost.AA.333.None.pwsh']);
  });

  it('a session that poshpool ends leaves no host pipe of its pwsh behind (real pwsh)', async () => {
    const fx = new SessionFixture();
    try {
      const s = await fx.start();
      const pid = s.pid!;
      const pipes = (): string[] => readdirSync(tmpdir()).filter((n) => hostPipePid(n) === pid);
      expect(pipes()).toHaveLength(1);
      // Nor the .NET runtime's diagnostics endpoints (DOTNET_EnableDiagnostics=0: never made).
      const diagnostics = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`clr-debug-pipe-${pid}-`) || n.startsWith(`dotnet-diagnostic-${pid}-`));
      expect(diagnostics()).toEqual([]);
      await s.dispose();
      expect(pipes()).toEqual([]);
      expect(diagnostics()).toEqual([]);
    } finally {
      await fx.dispose();
    }
  }, 60_000);
});
