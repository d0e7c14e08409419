import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionFixture } from '../../../test/pwsh.js';
import { currentPlatform, platformFor } from '../platform/Platform.js';
import type { PtyModule } from './PwshSession.js';

// Behaviours of integration.ps1 that exist for Windows, run in real pwsh here.

let fx: SessionFixture;
beforeAll(() => {
  fx = new SessionFixture();
});
afterAll(async () => {
  await fx.dispose();
});

describe('reading command lines', () => {
  it('reads again after a null read: a Ctrl+C at a console read on Windows returns null, not end of input', async () => {
    const s = await fx.start();
    // The next three reads return null, as ReadLine does on Windows when a Ctrl+C lands at the prompt.
    await s.run('$global:ppNulls = 3; $global:__poshpool.LineReader = { if ($global:ppNulls -gt 0) { $global:ppNulls--; return $null }; [Console]::In.ReadLine() }');
    const r = await s.run('"still here: $global:ppNulls"');
    expect(r).toMatchObject({ status: 'completed', output: 'still here: 0', sessionAlive: true });
    expect(s.state).toBe('idle');
  });

  it('ends the session when the end of input persists (stdin closed for good)', async () => {
    const s = await fx.start();
    const ended = new Promise<void>((resolve) => s.onExit(() => resolve()));
    await s.run('$global:__poshpool.LineReader = { $null }');
    await ended;
    expect(s.exit).toMatchObject({ exitCode: 0 });
  });
});

describe('the run line', () => {
  it('has the host run one fixed line for every command, so pwsh compiles it once (its script cache is keyed by the text)', async () => {
    const s = await fx.start();
    await s.run("'first'");
    await s.run('Get-Date | Out-Null');
    const r = await s.run('Get-History | Select-Object -Last 2 | ForEach-Object CommandLine');
    const [a, b] = r.output.split('\n');
    expect(a).toBe(b);
    expect(a).toContain('Enter-PoshpoolCommand');
    expect(a).not.toMatch(/\d/); // neither the sequence number nor the command's text is in it
  });

  it('reports a working directory with quotes, non-ASCII and control characters exactly (the end record is written without ConvertTo-Json)', async () => {
    const s = await fx.start();
    // A quote takes the direct path; a tab (a control character) the ConvertTo-Json one.
    for (const name of ['q"uote and \u00e9', 'tab\there']) {
      const dir = path.join(fx.dir, name);
      mkdirSync(dir);
      const r = await s.run(`Set-Location -LiteralPath '${dir.replace(/'/g, "''")}'`);
      expect(r).toMatchObject({ status: 'completed', success: true, cwd: dir });
    }
    // Backslashes cannot be in a Linux path PowerShell can enter (its FileSystem provider reads them as separators).
    const quoted = await s.run(`& (Get-Module __poshpool) { ConvertTo-JsonString 'C:\\a "b"' }`);
    expect(JSON.parse(quoted.output)).toBe('C:\\a "b"');
  });

  it('leaves only the command\'s own parse error in $Error (not poshpool\'s attempt to compile it)', async () => {
    const s = await fx.start();
    const r = await s.run('if (');
    expect(r.errors.map((e) => e.category)).toEqual(['ParserError']);
    expect((await s.run('$Error.Count')).output).toBe('1');
  });
});

describe('where an execution policy forbids scripts (Group Policy overrides -ExecutionPolicy Bypass)', () => {
  it('runs a command with `exit` as a script block: the session ends, and the result says why', async () => {
    const s = await fx.start();
    expect((await s.run('exit 3')).exitCode).toBe(3); // contained while scripts may run
    await s.run('$global:__poshpool.ScriptsAllowed = $false');
    const r = await s.run('Write-Output bye; exit 4');
    expect(r).toMatchObject({ status: 'sessionEnded', sessionAlive: false, exitCode: 4 });
    expect(r.output).toBe('bye');
    expect(r.message).toContain('where an execution policy forbids scripts');
  });
});

describe("the Windows terminal library's API (upstream node-pty) drives a session the same way", () => {
  it('runs commands through node-pty with the options the win32 seam passes (useConptyDll is ignored off Windows)', async () => {
    // node-pty is an optional dependency: on Windows it brings the bundled ConPTY; here it builds from
    // source (.ci/run provides the Node headers). A missing module fails this test rather than skipping it.
    const nodePty = createRequire(import.meta.url)('node-pty') as PtyModule;
    const win = platformFor('win32');
    expect(win.pty).toMatchObject({ module: 'node-pty', spawnOptions: { useConptyDll: true }, conpty: true });
    const here = currentPlatform();
    const withWindowsPtyOptions = { ...here, pty: { ...win.pty, conpty: here.isWindows } };
    const s = await fx.start({}, undefined, { ptyModule: nodePty, platform: withWindowsPtyOptions });
    const r = await s.run('1..3 | ForEach-Object { "n$_" }; Get-Item /nope');
    expect(r).toMatchObject({ status: 'completed', output: expect.stringContaining('n1\nn2\nn3'), errorCount: 1, exitCode: 1 });
  });
});
