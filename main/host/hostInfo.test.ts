import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { randomBytes } from 'node:crypto';
import { currentPlatform, platformFor } from '../core/platform/Platform.js';
import { processStartIdentity, type IdentityProbes } from '../core/platform/processIdentity.js';
import { readHostInfo, removeHostInfo, writeHostInfo, type HostInfo } from './hostInfo.js';

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
const linux = platformFor('linux');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pp-hostinfo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A host.json as a host that is gone left it, naming `pid`. */
function leftBehind(pid: number, over: Partial<HostInfo> = {}): HostInfo {
  return {
    pid,
    version: '0.0.0',
    startedAt: '2026-11-24T08:00:00.000Z',
    mcpUrl: 'http://127.0.0.1:9/mcp',
    eventsUrl: 'http://127.0.0.1:9/events',
    metricsUrl: 'http://127.0.0.1:9/metrics',
    socketPath: path.join(dir, 'gone', 'host.sock'),
    tokenFile: path.join(dir, 'auth', 'token'),
    ...over,
  };
}

describe('readHostInfo after log-off or a reboot (the pid now belongs to another process)', () => {
  const onLinux = currentPlatform().os === 'linux';

  it.runIf(onLinux)('reports a host.json naming a live but unrelated pid (this test process) as stale (Linux-only: /proc)', () => {
    writeHostInfo(dir, leftBehind(process.pid, { processStart: 'boot-of-yesterday:12345' }));
    const read = readHostInfo(dir, { platform: linux });
    expect(read).toMatchObject({ ok: false, code: 'stale' });
    if (!read.ok) expect(read.reason).toContain(`pid ${process.pid} is another process now`);
  });

  it.runIf(onLinux)('still finds the host that wrote it (same pid, same start) (Linux-only: /proc)', () => {
    writeHostInfo(dir, leftBehind(process.pid, { processStart: processStartIdentity(linux, process.pid) }));
    expect(readHostInfo(dir, { platform: linux })).toMatchObject({ ok: true, info: { pid: process.pid } });
  });

  it('on Windows, a live pid whose pipe is gone is stale, and removeHostInfo by that pid clears it', () => {
    const win = platformFor('win32');
    const pipe = '\\\\.\\pipe\\poshpool-0123456789abcdef0123456789abcdef';
    const probes: IdentityProbes = { processExists: () => true, readText: () => undefined, run: () => undefined, listPipes: () => ['lsass', 'InitShutdown'] };
    writeHostInfo(dir, leftBehind(4242, { socketPath: pipe }));
    expect(readHostInfo(dir, { platform: win, probes })).toMatchObject({ ok: false, code: 'stale' });
    const withPipe: IdentityProbes = { ...probes, listPipes: () => ['lsass', 'poshpool-0123456789abcdef0123456789abcdef'] };
    expect(readHostInfo(dir, { platform: win, probes: withPipe })).toMatchObject({ ok: true, info: { pid: 4242 } });
    removeHostInfo(dir, 1, { platform: win, probes });
    expect(readHostInfo(dir, { platform: win, probes: withPipe })).toMatchObject({ ok: false, code: 'none' });
  });
});

describe('poshpool bridge with a stale host.json whose pid is alive', () => {
  it('starts its own host instead of relaying to a host that is not there', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    const here = currentPlatform();
    // The pid is this test process: alive, not a poshpool host; the socket or pipe it names does not exist.
    const gone = here.hostChannel === 'namedPipe' ? `\\\\.\\pipe\\poshpool-${randomBytes(16).toString('hex')}` : path.join(dir, 'gone.sock');
    writeHostInfo(dataDir, leftBehind(process.pid, { processStart: 'boot-of-yesterday:12345', socketPath: gone }));
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], stderr: 'pipe' });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const client = new Client({ name: 'stale-host-client', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('run_command');
      expect(err).toContain('no poshpool host is running; starting one in this process');
      // The bridge's own host replaced the stale host.json with its own.
      const now = readHostInfo(dataDir);
      expect(now.ok).toBe(true);
      if (now.ok) {
        expect(now.info.pid).not.toBe(process.pid);
        expect(now.info.processStart).toBe(processStartIdentity(here, now.info.pid));
      }
    } finally {
      await client.close();
    }
  });
});
