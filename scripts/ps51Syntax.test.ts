import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePwsh } from '../test/pwsh.js';
import { processTableSource } from '../main/core/shell/processTree.js';
import { bootstrapCommand } from '../main/core/shell/launch.js';
import { platformFor } from '../main/core/platform/Platform.js';

// Every script poshpool runs in Windows PowerShell 5.1 must parse and run there: no 7-only syntax.
// The check parses with pwsh 7's own parser (which knows the 7-only syntax) and walks the tree.

const root = path.resolve(import.meta.dirname, '..');
const checker = path.join(root, 'scripts', 'ps51-syntax.ps1');
const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-ps51-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(...files: string[]): { status: number | null; findings: string[] } {
  const r = spawnSync(requirePwsh().path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', checker, ...files], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`the check itself failed (${r.status}): ${r.stderr}`);
  return { status: r.status, findings: r.stdout.split(/\r?\n/).filter(Boolean) };
}

/** Every .ps1 file that ships (the integration script, the stdio relay, ...). */
function shippedScripts(): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.ps1')) found.push(path.join(d, e.name));
    }
  };
  walk(path.join(root, 'main'));
  return found;
}

describe('PowerShell scripts that also run on Windows PowerShell 5.1', () => {
  it('the integration script, the relay and every other shipped .ps1 use no 7-only syntax or command', () => {
    const scripts = shippedScripts();
    expect(scripts.map((s) => path.basename(s))).toContain('integration.ps1');
    const r = check(...scripts);
    expect(r.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('the start-up bootstrap and the Windows process-table query use none either', () => {
    const bootstrap = path.join(dir, 'bootstrap.ps1');
    writeFileSync(bootstrap, bootstrapCommand("C:\\Users\\O'Brien\\AppData\\Local\\poshpool\\sessions\\session-1\\session.ps1"));
    const query = path.join(dir, 'query.ps1');
    const source = processTableSource(platformFor('win32'));
    writeFileSync(query, source.kind === 'command' ? source.args.at(-1)! : '');
    expect(check(bootstrap, query)).toEqual({ status: 0, findings: [] });
  });

  it('rejects each 7-only construct, naming the line', () => {
    const bad = path.join(dir, 'bad.ps1');
    const lines = [
      '$a = $null ?? 1',
      '$b = $true ? 1 : 2',
      'Get-Date && Get-Date',
      '$c ??= 3',
      '$d = ${x}?.Name',
      '$e = "`e[0m"',
      '$f = "`u{2713}"',
      '1..3 | ForEach-Object -Parallel { $_ }',
      'Get-Error',
      'function g { begin {} clean {} }',
      '$fine = "``e is an escaped backtick and e"',
    ];
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const r = check(bad);
    expect(r.status).toBe(1);
    const byLine = (n: number): string | undefined => r.findings.find((f) => f.startsWith(`${bad}:${n}:`));
    expect(byLine(1)).toContain('??');
    expect(byLine(2)).toContain('ternary');
    expect(byLine(3)).toContain('&&');
    expect(byLine(4)).toContain('??=');
    expect(byLine(5)).toContain('null-conditional');
    expect(byLine(6)).toContain('`e');
    expect(byLine(7)).toContain('`u{}');
    expect(byLine(8)).toContain('-Parallel');
    expect(byLine(9)).toContain('Get-Error');
    expect(byLine(10)).toContain('clean block');
    expect(byLine(11)).toBeUndefined();
    expect(r.findings).toHaveLength(10);
  });
});
