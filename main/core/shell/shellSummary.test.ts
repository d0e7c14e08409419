import { describe, expect, it } from 'vitest';
import { shellSummary } from './shellSummary.js';

const pwsh = { path: '/usr/bin/pwsh', kind: 'pwsh' as const };
const legacy = { path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', kind: 'powershell' as const };
const facts = { version: '7.6.9', edition: 'Core', languageMode: 'FullLanguage', executionPolicy: 'Unrestricted' };

describe('shellSummary', () => {
  it('has no warning for pwsh 7 under an ordinary policy, and the facts of its first prompt', () => {
    expect(shellSummary(pwsh, undefined, facts)).toEqual({ ...pwsh, ...facts, warnings: [] });
    expect(shellSummary(pwsh, undefined, undefined)).toMatchObject({ version: null, executionPolicy: null, warnings: [] });
  });

  it("passes discovery's warning on when 5.1 is the fallback, and says 5.1 even when it was configured", () => {
    expect(shellSummary(legacy, 'pwsh 7 was not found', undefined).warnings).toEqual(['pwsh 7 was not found']);
    expect(shellSummary(legacy, undefined, undefined).warnings[0]).toContain('Windows PowerShell 5.1 (set in "shell.path")');
  });

  it('warns when the execution policy forbids scripts (a command with `exit` then ends its session)', () => {
    for (const executionPolicy of ['Restricted', 'AllSigned']) {
      const w = shellSummary(pwsh, undefined, { ...facts, executionPolicy }).warnings;
      expect(w).toHaveLength(1);
      expect(w[0]).toContain(`The execution policy is ${executionPolicy}`);
      expect(w[0]).toContain('ends its session');
    }
    expect(shellSummary(pwsh, undefined, { ...facts, executionPolicy: 'RemoteSigned' }).warnings).toEqual([]);
  });
});
