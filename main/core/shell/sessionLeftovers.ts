import type { CommandResult } from '../../../common/shell.js';

/** leftovers.ps1's verdict lines. */
const ENDED = 'poshpool-leftovers:ended:';
const FAILED = 'poshpool-leftovers:failed:';

/**
 * The command that ends, on another host, what command `seq` started there (leftovers.ps1); with 0,
 * what any of the session's commands started since pwsh did (the reset).
 */
export function endLeftoversCommand(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a non-negative integer, not ${seq}`);
  return `& $global:__poshpool.EndLeftovers ${seq}`;
}

/** What the command's result says: the pids it ended, or why it could not. */
export function leftoversVerdict(result: CommandResult): { ok: true; pids: number[] } | { ok: false; reason: string } {
  if (result.status !== 'completed') return { ok: false, reason: `it did not complete (${result.status}${result.message ? `: ${result.message}` : ''})` };
  const verdict = result.output.trimEnd().split('\n').pop() ?? '';
  if (verdict.startsWith(FAILED)) return { ok: false, reason: verdict.slice(FAILED.length) };
  const list = verdict.startsWith(ENDED) ? verdict.slice(ENDED.length) : undefined;
  if (list === undefined || !/^(\d+(,\d+)*)?$/.test(list)) return { ok: false, reason: `it said ${JSON.stringify(result.output.slice(-200))}` };
  return { ok: true, pids: list === '' ? [] : list.split(',').map(Number) };
}

/** The note a stopped command's result gets when poshpool ended processes it had started (`host`: where, for another host). */
export function endedNote(pids: readonly number[], host?: string): string {
  return `poshpool ended ${pids.length} process${pids.length === 1 ? '' : 'es'} the command had started${host !== undefined ? ` on ${host}` : ''} (pid ${pids.join(', ')}).`;
}

/** Appends `note` to a result's message. */
export function addNote(result: CommandResult, note: string): void {
  result.message = result.message ? `${result.message} ${note}` : note;
}
