import type { ShellSummary } from '../../../common/scheduler.js';
import type { ResolvedShell } from './discovery.js';
import type { ShellFacts } from './markers.js';

/** Execution policies under which no script file may run (Windows; Group Policy can set them). */
const NO_SCRIPTS = new Set(['Restricted', 'AllSigned']);

/**
 * What the status and the tray say about the sessions' PowerShell: which one, and the warnings a
 * person should act on (Windows PowerShell 5.1 chosen because pwsh 7 was not found; a policy that
 * forbids scripts, so a command with `exit` ends its session).
 */
export function shellSummary(shell: ResolvedShell, discoveryWarning: string | undefined, facts: ShellFacts | undefined): ShellSummary {
  const warnings: string[] = [];
  if (discoveryWarning) warnings.push(discoveryWarning);
  else if (shell.kind === 'powershell') warnings.push('Sessions run Windows PowerShell 5.1 (set in "shell.path"): slower to start, older language and modules.');
  if (facts && NO_SCRIPTS.has(facts.executionPolicy)) {
    warnings.push(
      `The execution policy is ${facts.executionPolicy} (likely set by Group Policy), so no script file may run: a command containing \`exit\` ends its session instead of returning its exit code.`,
    );
  }
  return {
    path: shell.path,
    kind: shell.kind,
    version: facts?.version ?? null,
    edition: facts?.edition ?? null,
    languageMode: facts?.languageMode ?? null,
    executionPolicy: facts?.executionPolicy ?? null,
    warnings,
  };
}
