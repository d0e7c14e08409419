import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realpathSync } from 'node:fs';
import type { CommandResult } from '../../../common/shell.js';
import { defaultShellConfig } from '../config/shellConfig.js';
import { currentPlatform } from '../platform/Platform.js';
import { findProcesses, nativeExit, nativeNode, nativeNodeArgv, processExists, SessionFixture, sleep, waitFor } from '../../../test/pwsh.js';
import { homedir, tmpdir } from 'node:os';
import { PwshSession, SessionError, windowsBuild } from './PwshSession.js';

// Integration tests against real pwsh on a real pty. No fakes: a missing pwsh fails these tests.

let fx: SessionFixture;
beforeAll(() => {
  fx = new SessionFixture();
});
afterAll(async () => {
  await fx.dispose();
});

const ESC = '\x1b';

function expectClean(r: CommandResult): void {
  expect(r.output).not.toContain(ESC);
  expect(r.output).not.toContain('Enter-PoshpoolCommand');
  expect(r.output).not.toMatch(/^PS> /m);
}

describe('exit codes and errors', () => {
  let s: PwshSession;
  beforeAll(async () => {
    s = await fx.start();
  });

  it("reports a native program's own exit code", async () => {
    const r = await s.run(nativeExit(7));
    expect(r).toMatchObject({ status: 'completed', exitCode: 7, success: false, sessionAlive: true });
    expect(r.errors).toEqual([]);
  });

  it('reports 0 for a successful native command right after a failed one (no stale $LASTEXITCODE)', async () => {
    const failed = await s.run(nativeExit(9));
    expect(failed.exitCode).toBe(9);
    const ok = await s.run(nativeExit(0));
    expect(ok).toMatchObject({ exitCode: 0, success: true });
  });

  it('does not report a stale native exit code for a later cmdlet success or failure', async () => {
    await s.run(nativeExit(5));
    expect(await s.run('Get-Date | Out-Null')).toMatchObject({ exitCode: 0, success: true });
    await s.run(nativeExit(5));
    const failed = await s.run('Get-Item /definitely/not/here');
    expect(failed).toMatchObject({ exitCode: 1, success: false });
    // The user's own $LASTEXITCODE is left as pwsh set it.
    expect((await s.run('$LASTEXITCODE')).output).toBe('5');
  });

  it('reports a cmdlet failure with a full error record', async () => {
    const r = await s.run('Get-Item /nope');
    expect(r).toMatchObject({ status: 'completed', success: false, exitCode: 1, errorCount: 1 });
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e.message).toBe("Cannot find path '/nope' because it does not exist.");
    expect(e.fullyQualifiedErrorId).toBe('PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand');
    expect(e.category).toBe('ObjectNotFound');
    expect(e.targetName).toBe('/nope');
    expect(e.position).toContain('Get-Item /nope');
    expect(r.output).toContain("Cannot find path '/nope'");
    expectClean(r);
  });

  it("reports throw as one error and shows it in the output", async () => {
    const r = await s.run("'before'; throw 'boom'; 'never'");
    expect(r).toMatchObject({ success: false, exitCode: 1, errorCount: 1 });
    expect(r.errors[0]).toMatchObject({ message: 'boom', category: 'OperationStopped', exceptionType: 'System.Management.Automation.RuntimeException' });
    expect(r.output).toContain('before');
    expect(r.output).toContain('boom');
    expect(r.output).not.toContain('never');
  });

  it('reports non-terminating Write-Error records while the command goes on', async () => {
    const r = await s.run("Write-Error 'first'; 'middle'; Write-Error 'second'; 'end'");
    expect(r.errors.map((e) => e.message)).toEqual(['first', 'second']);
    expect(r.output.split('\n')).toEqual(expect.arrayContaining(['middle', 'end']));
    // The last statement succeeded, like a shell's status: success follows it, the errors are listed.
    expect(r).toMatchObject({ success: true, exitCode: 0, errorCount: 2 });
    expect(r.errors[0]!.position).not.toContain('Enter-PoshpoolCommand');
  });

  it('a failing last statement makes the command fail', async () => {
    const r = await s.run("'x'; Write-Error 'last'");
    expect(r).toMatchObject({ success: false, exitCode: 1 });
  });

  it('tracks new errors even when $Error is full (256 records)', async () => {
    await s.run('1..300 | ForEach-Object { Write-Error "fill $_" -ErrorAction SilentlyContinue }');
    const r = await s.run("Write-Error 'after the cap'");
    expect(r.errors.map((e) => e.message)).toEqual(['after the cap']);
  });

  it('caps the error records reported and says how many there were', async () => {
    const r = await s.run('1..30 | ForEach-Object { Write-Error "e$_" }');
    expect(r.errorCount).toBe(30);
    expect(r.errors).toHaveLength(20);
    expect(r.errors[19]!.message).toBe('e30');
  });

  it('reports a parse error as an error record and stays usable (no >> prompt)', async () => {
    const r = await s.run('if (');
    expect(r).toMatchObject({ status: 'completed', success: false, exitCode: 1 });
    expect(r.errors[0]!.category).toBe('ParserError');
    expect(r.errors[0]!.message).toContain("Missing condition in if statement after 'if ('");
    expect(r.output).toContain('ParserError');
    expect((await s.run("'still here'")).output).toBe('still here');
  });
});

describe('command text arrives intact', () => {
  let s: PwshSession;
  beforeAll(async () => {
    s = await fx.start();
  });

  it('runs multi-line commands with here-strings, backticks, $_ and both quotes', async () => {
    const command = [
      '$h = @"',
      'double "quoted" and \'single\'',
      '  `$escaped = `$x',
      '"@',
      "$l = @'",
      'literal $x `n "q"',
      "'@",
      '$h',
      '$l',
      "1..3 | ForEach-Object { \"item $_\" }",
      'Write-Output ("tab`there")',
      "'it''s'",
    ].join('\n');
    const r = await s.run(command);
    expect(r.output.split('\n')).toEqual([
      'double "quoted" and \'single\'',
      '  $escaped = $x',
      'literal $x `n "q"',
      'item 1',
      'item 2',
      'item 3',
      // A tab stays a tab where the pty passes bytes through; ConPTY renders it as spaces.
      currentPlatform().pty.conpty ? 'tab     here' : 'tab\there',
      "it's",
    ]);
  });

  it('runs a 50 KB command', async () => {
    const payload = 'abcdefghij'.repeat(5000);
    const r = await s.run(`$big = '${payload}'\n$big.Length\n$big.Substring(49990)`);
    expect(r.output.split('\n')).toEqual(['50000', 'abcdefghij']);
  });

  it('keeps unicode intact in both directions', async () => {
    const text = 'emoji 😀🎉 CJK 日本語 中文 combining é ñ';
    const r = await s.run(`$u = '${text}'; $u; $u.Length`);
    expect(r.output.split('\n')[0]).toBe(text);
    expect(r.output.split('\n')[1]).toBe(String(text.length));
  });

  it('does not split long lines', async () => {
    const r = await s.run("'x' * 1000; 'y' * 450");
    expect(r.output.split('\n')).toEqual(['x'.repeat(1000), 'y'.repeat(450)]);
  });

  it('shows no echo, prompt or escape sequences', async () => {
    const r = await s.run("Write-Host 'host text'; 'pipeline text'; Get-Item / | Select-Object Name | Format-Table");
    expectClean(r);
    expect(r.output).toMatch(/^host text\npipeline text\n/);
    expect(r.output).toContain('Name');
  });
});

describe('terminal rendering', () => {
  let s: PwshSession;
  beforeAll(async () => {
    s = await fx.start();
  });

  it("strips a native program's colours and cursor movement", async () => {
    const r = await s.run(nativeNode(`process.stdout.write('\\u001b[31mred\\u001b[0m plain\\nabc\\rX\\n')`));
    expect(r.output).toBe('red plain\nXbc');
    expectClean(r);
  });

  it('keeps capturing across Clear-Host', async () => {
    const r = await s.run("'before'; Clear-Host; 'after'");
    expect(r.status).toBe('completed');
    expect(r.output.split('\n')).toContain('after');
    expect((await s.run("'next'")).output).toBe('next');
  });

  it('captures output longer than the scrollback, with wrapped lines, exactly', async () => {
    const r = await s.run("1..6000 | ForEach-Object { \"$_ \" + ('w' * 450) }");
    expect(r.truncated).toBe(true);
    let text = '';
    for (let page = 0; ; page++) {
      const p = fx.store.read(r.outputRef!, page);
      if (!p.ok) throw new Error(p.reason);
      text += p.page.text;
      if (page + 1 === p.page.pages) break;
    }
    expect(text.split('\n').slice(0, -1)).toEqual(Array.from({ length: 6000 }, (_, i) => `${i + 1} ${'w'.repeat(450)}`));
  });
});

describe('state', () => {
  it('keeps variables, functions and the location between commands and reports the cwd', async () => {
    const s = await fx.start();
    const tmp = realpathSync(tmpdir());
    await s.run('$x = 5; function Get-Twice($n) { 2 * $n }');
    expect((await s.run('$x')).output).toBe('5');
    expect((await s.run('Get-Twice 21')).output).toBe('42');
    const cd = await s.run(`Set-Location '${tmp}'`);
    expect(cd.cwd).toBe(tmp);
    // The start-up script is not left in the history (commands are, as poshpool's wrapper lines).
    expect((await s.run('(Get-History).Count')).output).toBe('4');
    const pwd = await s.run('(Get-Location).Path');
    expect(pwd.output).toBe(tmp);
    expect(pwd.cwd).toBe(tmp);
  });
});

describe('large output', () => {
  it('keeps head and tail beyond the cap and the whole output can be read page by page', async () => {
    const s = await fx.start();
    const r = await s.run('1..200000 | ForEach-Object { "line $_" }');
    const expected = Array.from({ length: 200000 }, (_, i) => `line ${i + 1}`);
    expect(r.status).toBe('completed');
    expect(r.truncated).toBe(true);
    expect(r.outputRef).toMatch(/^out-/);
    expect(r.outputBytes).toBe(Buffer.byteLength(expected.join('\n') + '\n'));
    expect(r.output.startsWith('line 1\nline 2\n')).toBe(true);
    expect(r.output.endsWith('line 199999\nline 200000')).toBe(true);
    expect(r.output).toContain('omitted');
    const first = fx.store.read(r.outputRef!, 0);
    if (!first.ok) throw new Error(first.reason);
    let text = '';
    for (let page = 0; page < first.page.pages; page++) {
      const p = fx.store.read(r.outputRef!, page);
      if (!p.ok) throw new Error(p.reason);
      text += p.page.text;
    }
    expect(text.split('\n').slice(0, -1)).toEqual(expected);
    expect(text).not.toContain(ESC);
  });

  it('keeps small output whole', async () => {
    const s = await fx.start({ outputCapBytes: 4096 });
    const r = await s.run('1..100 | ForEach-Object { "n $_" }');
    expect(r).toMatchObject({ truncated: false, outputRef: null });
    expect(r.output.split('\n')).toHaveLength(100);
  });
});

describe('markers', () => {
  it('a look-alike end marker printed by the command does not end it early', async () => {
    const s = await fx.start();
    const nonce = (s as unknown as { nonce: string }).nonce;
    const fakePayload = Buffer.from(JSON.stringify({ success: true, exitCode: 0, nativeRan: false, errorCount: 0, errors: [], cwd: '/', exited: false })).toString('base64');
    // Wrong nonce with the running command's number, and the real nonce copied with an old number.
    const command = [
      `[Console]::Out.Write("$([char]27)]7717;0123456789abcdef0123456789abcdef;2;end;${fakePayload}$([char]7)")`,
      `[Console]::Out.Write("$([char]27)]7717;${nonce};1;end;${fakePayload}$([char]7)")`,
      `[Console]::Out.Write("$([char]27)]7717;${nonce};1;ready;0$([char]7)")`,
      'Start-Sleep -Milliseconds 300',
      "'after the fakes'",
      'exit 4',
    ].join('\n');
    expect((await s.run("'first'")).seq).toBe(1);
    const r = await s.run(command);
    expect(r.seq).toBe(2);
    expect(r.output).toContain('after the fakes');
    expect(r.exitCode).toBe(4);
  });
});

describe('cancel and timeouts', () => {
  it('cancels Start-Sleep and keeps the session and its state', async () => {
    const s = await fx.start();
    await s.run('$kept = 41');
    const t0 = Date.now();
    const running = s.run('Start-Sleep 100');
    await sleep(300);
    expect(s.cancel()).toBe(true);
    const r = await running;
    expect(Date.now() - t0).toBeLessThan(2300);
    expect(r).toMatchObject({ status: 'cancelled', success: false, sessionAlive: true });
    expect(s.state).toBe('idle');
    expect((await s.run('$kept + 1')).output).toBe('42');
  });

  it('cancels a busy script loop', async () => {
    const s = await fx.start();
    const running = s.run('$i = 0; while ($true) { $i++ }');
    await sleep(300);
    s.cancel();
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.sessionAlive).toBe(true);
    expect(Number((await s.run('$i')).output)).toBeGreaterThan(0);
  });

  it('times out by itself and stays usable', async () => {
    const s = await fx.start();
    const r = await s.run("'started'; Start-Sleep 100", { timeoutMs: 500 });
    expect(r).toMatchObject({ status: 'timedOut', success: false, sessionAlive: true });
    expect(r.output).toBe('started');
    expect((await s.run("'next'")).output).toBe('next');
  });

  it('cancels through an AbortSignal', async () => {
    const s = await fx.start();
    const controller = new AbortController();
    const running = s.run('Start-Sleep 100', { signal: controller.signal });
    await sleep(200);
    controller.abort();
    expect((await running).status).toBe('cancelled');
  });

  it('kills a native process that ignores Ctrl+C and gets the prompt back', async () => {
    const s = await fx.start({ cancelGraceMs: 500 });
    // A native program that ignores Ctrl+C (SIGINT; on Windows, CTRL_C_EVENT).
    const stubborn = `process.on('SIGINT', () => {}); setTimeout(() => {}, 317000)`;
    const running = s.run(nativeNode(stubborn));
    expect(await waitFor(() => findProcesses(nativeNodeArgv(stubborn)).length > 0, 5000)).toBe(true);
    s.cancel();
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.output).not.toContain('^C');
    expect(await waitFor(() => findProcesses(nativeNodeArgv(stubborn)).length === 0, 2000)).toBe(true);
    expect(r.sessionAlive).toBe(true);
    expect((await s.run("'alive'")).output).toBe('alive');
  });

  it('answers with a clear error when pwsh is killed from outside mid-command', async () => {
    const s = await fx.start();
    const running = s.run('Start-Sleep 100');
    await sleep(300);
    const t0 = Date.now();
    process.kill(s.pid!, 'SIGKILL');
    const r = await running;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r).toMatchObject({ status: 'sessionEnded', sessionAlive: false, success: false });
    expect(r.message).toMatch(/start a new session/);
    expect(await waitFor(() => !processExists(s.ptyPid!), 2000)).toBe(true);
    expect(s.state).toBe('ended');
    await expect(s.run('1')).rejects.toBeInstanceOf(SessionError);
  });
});

describe('output so far', () => {
  it('shows what a running command has printed, then the whole result', async () => {
    const s = await fx.start();
    expect(s.outputSoFar()).toBeUndefined();
    const running = s.run("1..3 | ForEach-Object { \"step $_\" }; Start-Sleep 30");
    expect(await waitFor(() => s.outputSoFar()?.output === 'step 1\nstep 2\nstep 3', 5000)).toBe(true);
    expect(s.outputSoFar()).toMatchObject({ seq: 1, truncated: false });
    s.cancel();
    expect((await running).output).toBe('step 1\nstep 2\nstep 3');
  });
});

describe('input', () => {
  it('reports Read-Host as waiting for input and completes with the text sent', async () => {
    const s = await fx.start();
    const wanted = new Promise<{ prompt: string; at: number }>((resolve) => {
      s.onInputWanted((w) => resolve({ prompt: w.prompt, at: Date.now() }));
    });
    const t0 = Date.now();
    const running = s.run("$name = Read-Host 'Name'; \"hello $name\"");
    const w = await wanted;
    expect(w.prompt).toBe('Name:');
    expect(w.at - t0).toBeLessThan(1500);
    expect(s.state).toBe('waitingForInput');
    expect(s.sendInput('Bob')).toEqual({ ok: true });
    const r = await running;
    expect(r.output).toContain('hello Bob');
    expect(r.success).toBe(true);
    expect((await s.run('$name')).output).toBe('Bob');
  });

  it('answers a stopped command even when the prompt never comes back (a Ctrl+C can cut the prompt function short)', async () => {
    const s = await fx.start({ settleTimeoutMs: 300 });
    // A prompt that draws no marker stands in for one cut short by a late Ctrl+C.
    await s.run("function global:prompt { 'PS> ' }");
    const running = s.run('Start-Sleep -Seconds 30');
    await sleep(500);
    s.cancel();
    const r = await running;
    expect(r).toMatchObject({ status: 'cancelled', sessionAlive: true });
    expect(r.message).toContain('pwsh did not show its prompt within 600 ms');
    expect((await s.run("'after'")).output).toBe('after');
  });

  it('cancels a command that waits for input', async () => {
    const s = await fx.start();
    const running = s.run("$never = Read-Host 'Password'");
    expect(await waitFor(() => s.state === 'waitingForInput', 5000)).toBe(true);
    s.cancel();
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.sessionAlive).toBe(true);
    expect((await s.run("'after'")).output).toBe('after');
  });

  it('refuses input when nothing runs and input that is too long', async () => {
    const s = await fx.start();
    expect(s.sendInput('x').ok).toBe(false);
    const running = s.run("$a = Read-Host 'A'; $a.Length");
    await waitFor(() => s.state === 'waitingForInput', 5000);
    const tooLong = s.sendInput('y'.repeat(5000));
    expect(tooLong.ok).toBe(false);
    expect(s.sendInput('yes').ok).toBe(true);
    expect((await running).output).toContain('3');
  });

  it('answers terminal queries: $Host.UI.RawUI use does not hang', async () => {
    const s = await fx.start();
    const r = await s.run('$p = $Host.UI.RawUI.CursorPosition; $w = $Host.UI.RawUI.WindowSize.Width; [Console]::CursorLeft; "$w"');
    expect(r.status).toBe('completed');
    expect(r.output.split('\n')).toEqual(['0', '200']);
  });
});

describe('sessions side by side', () => {
  it('two sessions run at once without interfering', async () => {
    const [a, b] = await Promise.all([fx.start(), fx.start()]);
    await Promise.all([a.run('$who = "A"'), b.run('$who = "B"')]);
    const [ra, rb] = await Promise.all([
      a.run('1..3 | ForEach-Object { Start-Sleep -Milliseconds 50; "$who $_" }'),
      b.run('1..3 | ForEach-Object { Start-Sleep -Milliseconds 50; "$who $_" }'),
    ]);
    expect(ra.output).toBe('A 1\nA 2\nA 3');
    expect(rb.output).toBe('B 1\nB 2\nB 3');
  });
});

describe('exit', () => {
  it('`exit 3` reports 3 and the session lives on with its state', async () => {
    const s = await fx.start();
    await s.run('$keep = "kept"');
    const r = await s.run("'before exit'; exit 3; 'not reached'");
    expect(r).toMatchObject({ status: 'completed', exitCode: 3, success: false, sessionAlive: true });
    expect(r.output).toBe('before exit');
    expect((await s.run('$keep')).output).toBe('kept');
    expect((await s.run('exit')).exitCode).toBe(0);
  });

  it('an exit that escapes containment ends the session with its code and a clear message', async () => {
    const s = await fx.start();
    const r = await s.run("Invoke-Expression 'exit 4'");
    expect(r).toMatchObject({ status: 'sessionEnded', exitCode: 4, sessionAlive: false });
    expect(r.message).toContain('exited with code 4');
    expect(s.state).toBe('ended');
  });
});

describe('start-up and disposal', () => {
  it('a bad pwsh path fails with an error naming the path', async () => {
    const started = await PwshSession.start({
      shell: { path: '/no/such/dir/pwsh', kind: 'pwsh' },
      config: defaultShellConfig(),
      outputStore: fx.store,
      tempRoot: fx.dir,
    });
    expect(started.ok).toBe(false);
    if (!started.ok) expect(started.reason).toContain('/no/such/dir/pwsh');
  });

  it('dispose leaves no pwsh (nor anything it started) behind', async () => {
    const s = await fx.start();
    const pids = [s.pid!, s.ptyPid!];
    const sleeper = 'setTimeout(() => {}, 318000)';
    const running = s.run(nativeNode(sleeper));
    expect(await waitFor(() => findProcesses(nativeNodeArgv(sleeper)).length > 0, 5000)).toBe(true);
    await s.dispose();
    const r = await running;
    expect(r.sessionAlive).toBe(false);
    expect(pids.filter(processExists)).toEqual([]);
    expect(findProcesses(nativeNodeArgv(sleeper))).toEqual([]);
    expect(s.state).toBe('ended');
  });
});

describe('windowsBuild', () => {
  it('reads the build from a Windows release string', () => {
    expect(windowsBuild('10.0.22631')).toBe(22631);
    expect(windowsBuild('10.0.17763')).toBe(17763);
    expect(windowsBuild('6.18.44-fc')).toBe(0);
  });
});

describe('where a session starts', () => {
  it("starts in the user's home directory when no cwd is given (never the app's own, e.g. System32 at login)", async () => {
    const started = await PwshSession.start({ shell: fx.shell, config: defaultShellConfig(), outputStore: fx.store, tempRoot: fx.dir });
    if (!started.ok) throw new Error(started.reason);
    try {
      expect((await started.session.run('(Get-Location).ProviderPath')).output).toBe(realpathSync(homedir()));
    } finally {
      await started.session.dispose();
    }
  });

  it('starts in shell.cwd when the config names one', async () => {
    const started = await PwshSession.start({ shell: fx.shell, config: defaultShellConfig({ cwd: fx.dir }), outputStore: fx.store, tempRoot: fx.dir });
    if (!started.ok) throw new Error(started.reason);
    try {
      expect((await started.session.run('(Get-Location).ProviderPath')).output).toBe(realpathSync(fx.dir));
    } finally {
      await started.session.dispose();
    }
  });
});

describe('removing the session files', () => {
  it('ends the session all the same when its private dir stays locked (an antivirus scan: EBUSY), and says so', async () => {
    let tried = '';
    const started = await PwshSession.start({
      shell: fx.shell,
      config: defaultShellConfig(),
      outputStore: fx.store,
      tempRoot: fx.dir,
      cwd: fx.dir,
      removeDir: async (dir) => {
        tried = dir;
        throw Object.assign(new Error(`EBUSY: resource busy or locked, rmdir '${dir}'`), { code: 'EBUSY' });
      },
    });
    if (!started.ok) throw new Error(started.reason);
    const s = started.session;
    await s.dispose();
    expect(s.state).toBe('ended');
    expect(tried).toContain('session-');
    expect(s.cleanupProblem).toContain('EBUSY');
  });
});
