import type { CommandResult } from '../../../common/shell.js';

/** The command that runs the reset defined by reset.ps1. */
export const RESET_COMMAND = '& $global:__poshpool.Reset';
/** reset.ps1's verdict lines. */
const RESET_OK = 'poshpool-reset:ok';
const RESET_DIRTY = 'poshpool-reset:dirty:';

/**
 * What the reset's result says: the session is as it was at start-up, or why not (reset.ps1 names
 * what it could not put back; a session that is not clean must not be lent again).
 */
export function resetVerdict(result: CommandResult): { ok: true } | { ok: false; reason: string } {
  if (result.status !== 'completed' || !result.sessionAlive) return { ok: false, reason: `the reset did not complete (${result.status}${result.message ? `: ${result.message}` : ''})` };
  const verdict = result.output.trimEnd().split('\n').pop() ?? '';
  if (verdict !== RESET_OK) {
    return { ok: false, reason: verdict.startsWith(RESET_DIRTY) ? verdict.slice(RESET_DIRTY.length) : `the reset said ${JSON.stringify(result.output.slice(-200))}` };
  }
  return { ok: true };
}
