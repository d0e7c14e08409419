import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../common/shell.js';
import { onLinux } from '../../../test/platformGates.js';
import { findProcesses, requirePwsh } from '../../../test/pwsh.js';
import { endedNote, endLeftoversCommand, leftoversVerdict } from './sessionLeftovers.js';

// leftovers.ps1 is what pwsh runs on another host to end what a stopped command left there. Here it
// runs in a bare pwsh on this machine (no session, no ssh): the sweep itself, its verdict line and what it spares.

const script = fileURLToPath(new URL('./leftovers.ps1', import.meta.url));

afterEach(() => {
  for (const n of [64001, 64002, 64003, 64004, 64005]) {
    for (const pid of findProcesses(['sleep', String(n)])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

function pwsh(body: string): string[] {
  const text = `$global:__poshpool = @{ PrevSeq = 0; PrevStart = $null }; . '${script}'; $env:POSHPOOL_SESSION = 'tag-64000'\n${body}`;
  const r = spawnSync(requirePwsh().path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', text], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`pwsh failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

describe.runIf(onLinux)('EndLeftovers in pwsh (Linux: /proc, bash and setsid)', () => {
  it('ends what command <seq> started (children, tagged orphans in sessions of their own), spares what began before it, and prints the pids', () => {
    const out = pwsh(
      [
        '$early = Start-Process sleep 64001 -PassThru; Start-Sleep -Milliseconds 100',
        "$global:__poshpool.PrevSeq = 4; $global:__poshpool.PrevStart = [DateTime]::UtcNow; Start-Sleep -Milliseconds 50",
        "bash -c 'sleep 64002 >/dev/null 2>&1 & setsid -f sleep 64003'; $child = Start-Process sleep 64004 -PassThru; Start-Sleep -Milliseconds 300",
        "& $global:__poshpool.EndLeftovers 3; & $global:__poshpool.EndLeftovers 4",
        '"early:" + $early.Id; "child:" + $child.Id; "errors:" + $Error.Count',
        // Spared, and holding this pwsh's output open: it goes now.
        'Stop-Process -Id $early.Id -Force',
      ].join('\n'),
    );
    const [wrongSeq, verdict, early, child, errors] = out;
    // A command that never began here (its start is not the one recorded) started nothing.
    expect(wrongSeq).toBe('poshpool-leftovers:ended:');
    const pids = /^poshpool-leftovers:ended:([\d,]+)$/.exec(verdict ?? '')![1]!.split(',').map(Number);
    expect(pids).toHaveLength(3);
    expect(pids).toContain(Number(child!.slice('child:'.length)));
    expect(pids).not.toContain(Number(early!.slice('early:'.length)));
    expect(errors).toBe('errors:0');
  }, 60_000);

  it('with 0 ends what any command started since pwsh did, never pwsh or its ancestors', () => {
    const out = pwsh("Start-Process sleep 64005; bash -c 'setsid -f sleep 64001'; Start-Sleep -Milliseconds 300\n& $global:__poshpool.EndLeftovers 0\n'alive'");
    expect(out[0]).toMatch(/^poshpool-leftovers:ended:\d+,\d+$/);
    expect(out[1]).toBe('alive');
    expect(findProcesses(['sleep', '64005'])).toEqual([]);
    expect(findProcesses(['sleep', '64001'])).toEqual([]);
  }, 60_000);
});

describe('the verdict of EndLeftovers', () => {
  const result = (output: string, status: CommandResult['status'] = 'completed'): CommandResult => ({ seq: 1, status, output, errors: [], errorCount: 0, exitCode: 0, success: true, cwd: '/', durationMs: 1, truncated: false, outputBytes: output.length, outputRef: null, sessionAlive: true });

  it('reads the pids ended, none, or why it failed, from the last line', () => {
    expect(leftoversVerdict(result('poshpool-leftovers:ended:12,345'))).toEqual({ ok: true, pids: [12, 345] });
    expect(leftoversVerdict(result('noise\nposhpool-leftovers:ended:\n'))).toEqual({ ok: true, pids: [] });
    expect(leftoversVerdict(result('poshpool-leftovers:failed:no /proc'))).toEqual({ ok: false, reason: 'no /proc' });
    expect(leftoversVerdict(result('poshpool-leftovers:ended:1,x'))).toMatchObject({ ok: false });
    expect(leftoversVerdict(result('something else'))).toMatchObject({ ok: false, reason: expect.stringContaining('something else') });
    expect(leftoversVerdict(result('', 'timedOut'))).toMatchObject({ ok: false, reason: expect.stringContaining('timedOut') });
  });

  it('is asked for by a command that takes only a sequence number, and told in the same words as on this machine', () => {
    expect(endLeftoversCommand(7)).toBe('& $global:__poshpool.EndLeftovers 7');
    expect(() => endLeftoversCommand(-1)).toThrow(RangeError);
    expect(endedNote([5])).toBe('poshpool ended 1 process the command had started (pid 5).');
    expect(endedNote([5, 6], 'box')).toBe('poshpool ended 2 processes the command had started on box (pid 5, 6).');
  });
});
