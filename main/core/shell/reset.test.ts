import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeNode, processExists, SessionFixture, waitFor } from '../../../test/pwsh.js';
import type { PwshSession } from './PwshSession.js';

// The reset between two leases (reset.ps1), against real pwsh: what one client leaves in a session
// is gone before the session is lent again, and what cannot be taken back makes it dirty.

const fx = new SessionFixture();
let session: PwshSession;

beforeAll(async () => {
  session = await fx.start();
}, 60_000);
afterAll(() => fx.dispose());

async function out(command: string): Promise<string> {
  const r = await session.run(command);
  expect(r.status, r.message).toBe('completed');
  return r.output.trim();
}

describe('PwshSession.reset', () => {
  it('takes away variables, functions, aliases, environment, location, history, $Error and $LASTEXITCODE', async () => {
    const sub = path.join(fx.dir, 'elsewhere');
    mkdirSync(sub, { recursive: true });
    await out(
      [
        '$secret = "s3cr3t"',
        'function global:Get-Secret { "s3cr3t" }',
        'Set-Alias -Name gsx -Value Get-Secret -Scope Global',
        '$env:POSHPOOL_TEST_SECRET = "s3cr3t"',
        '$env:PATH = "/nowhere"',
        `Set-Location '${sub}'`,
        'Push-Location /',
        '$ErrorActionPreference = "Stop"',
        '$PSDefaultParameterValues["Out-File:Encoding"] = "ascii"',
        "'s3cr3t' -match 's(.*)' | Out-Null",
      ].join('\n'),
    );
    await session.run('Write-Error "old failure"');
    await session.run(nativeNode('process.exit(7)'));
    const reset = await session.reset();
    expect(reset).toEqual({ ok: true });
    const seen = await out(
      [
        '"var=" + [bool](Get-Variable secret -ErrorAction Ignore)',
        '"fn=" + [bool](Get-Command Get-Secret -ErrorAction Ignore)',
        '"alias=" + [bool](Get-Alias gsx -ErrorAction Ignore)',
        '"env=" + [bool]$env:POSHPOOL_TEST_SECRET',
        '"path=" + ($env:PATH -eq "/nowhere")',
        '"cwd=" + (Get-Location).Path',
        '"stack=" + (Get-Location -Stack).Count',
        '"eap=" + $ErrorActionPreference',
        '"pdpv=" + $PSDefaultParameterValues.Count',
        '"matches=" + [bool]$Matches',
        '"history=" + @(Get-History).Count',
        '"errors=" + $Error.Count',
        '"lec=" + $LASTEXITCODE',
      ].join('\n'),
    );
    expect(seen.split(/\r?\n/)).toEqual([
      'var=False',
      'fn=False',
      'alias=False',
      'env=False',
      'path=False',
      `cwd=${fx.dir}`,
      'stack=0',
      'eap=Continue',
      'pdpv=0',
      'matches=False',
      'history=0',
      'errors=0',
      'lec=0',
    ]);
  }, 60_000);

  it('restores a built-in function or alias a command replaced, and one it removed', async () => {
    await out('function global:prompt { "hijacked> " }\nRemove-Item alias:gcm -Force\nSet-Alias -Name gci -Value Get-Date -Scope Global -Force');
    expect(await session.reset()).toEqual({ ok: true });
    expect(await out('(Get-Alias gci).Definition + "," + (Get-Alias gci).Options + "," + [bool](Get-Alias gcm -ErrorAction Ignore)')).toBe('Get-ChildItem,ReadOnly,True');
    const r = await session.run('(Get-Command prompt).ScriptBlock.ToString()');
    expect(r.output).toContain('Write-PoshpoolPrompt');
  }, 60_000);

  it('stops jobs, removes event subscribers, modules and runspaces', async () => {
    const modDir = path.join(fx.dir, 'mods', 'PpResetMod');
    mkdirSync(modDir, { recursive: true });
    await out(
      [
        `Set-Content -LiteralPath '${path.join(modDir, 'PpResetMod.psm1')}' -Value 'function Get-PpResetMod { 42 }'`,
        `Import-Module '${path.join(modDir, 'PpResetMod.psm1')}'`,
        '$null = Start-Job { Start-Sleep 600 }',
        '$null = Register-EngineEvent -SourceIdentifier PpReset -Action { "x" }',
        '$rs = [runspacefactory]::CreateRunspace(); $rs.Open()',
      ].join('\n'),
    );
    expect(await session.reset()).toEqual({ ok: true });
    const seen = await out(
      '"jobs=" + @(Get-Job).Count\n"subs=" + @(Get-EventSubscriber -Force).Count\n"mod=" + [bool](Get-Module PpResetMod)\n"rs=" + @(Get-Runspace).Count',
    );
    expect(seen.split(/\r?\n/)).toEqual(['jobs=0', 'subs=0', 'mod=False', 'rs=1']);
  }, 60_000);

  it('ends processes a command left running in the background', async () => {
    const r = await session.run(`$p = Start-Process -FilePath '${process.execPath}' -ArgumentList '-e','setTimeout(()=>{},600000)' -PassThru; $p.Id`);
    const pid = Number(r.output.trim());
    expect(processExists(pid)).toBe(true);
    expect(await session.reset()).toEqual({ ok: true });
    expect(await waitFor(() => !processExists(pid), 5000)).toBe(true);
  }, 60_000);

  it('calls a session that had code loaded into it (Add-Type, a PowerShell class) dirty', async () => {
    await out('Add-Type -TypeDefinition "public static class PpResetProbe { public static int V = 1; }"');
    const dirty = await session.reset();
    expect(dirty.ok).toBe(false);
    expect(dirty.ok ? '' : dirty.reason).toContain('code was loaded into the process');
    const other = await fx.start();
    await other.run('class PpResetClass { [int]$x }');
    const classDirty = await other.reset();
    expect(classDirty.ok).toBe(false);
  }, 60_000);

  it('calls a session dirty when a Constant variable cannot be removed', async () => {
    const s = await fx.start();
    await s.run('Set-Variable -Name ppConst -Value 1 -Option Constant -Scope Global');
    const r = await s.reset();
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toContain('ppConst');
  }, 60_000);

  it('keeps a session clean after ordinary commands that load PowerShell and .NET code on first use', async () => {
    const s = await fx.start();
    await s.run('Get-Date | ConvertTo-Json | ConvertFrom-Json | Out-Null; [xml]"<a/>" | Out-Null; Get-ChildItem | Measure-Object | Out-Null; "a,b" | ConvertFrom-Csv -Header x,y | Format-Table | Out-String | Out-Null; Get-FileHash -LiteralPath $PSHOME/pwsh.dll | Out-Null; [regex]::Matches("aaa", "a+") | Out-Null');
    expect(await s.reset()).toEqual({ ok: true });
  }, 60_000);
});
