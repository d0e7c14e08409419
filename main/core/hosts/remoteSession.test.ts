import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultShellConfig } from '../config/shellConfig.js';
import { currentPlatform } from '../platform/Platform.js';
import { PwshSession } from '../shell/PwshSession.js';
import { SessionFixture } from '../../../test/pwsh.js';
import { closedPort, SshdFixture } from '../../../test/sshd.js';
import { hasPosixSshd } from '../../../test/platformGates.js';
import { remoteHostSchema } from './hostConfig.js';
import { findSsh, remoteTarget } from './sshCommand.js';

// The engine over a real OpenSSH server on 127.0.0.1 (test/sshd.ts): start-up, markers, exit codes,
// error records, cancel and input work as on a local pty, through the in-band paths.

let sshd: SshdFixture;
const sessions = new SessionFixture();

function target(overrides: Record<string, unknown> = {}) {
  const ssh = findSsh(currentPlatform(), process.env);
  if (!ssh) throw new Error('These tests need the OpenSSH client (ssh) on PATH.');
  return remoteTarget(remoteHostSchema.parse(sshd.host(overrides)), ssh);
}

beforeAll(async () => {
  if (!hasPosixSshd) return;
  sshd = await SshdFixture.start();
}, 30_000);

afterAll(async () => {
  await sessions.dispose();
  await sshd?.dispose();
});

describe.runIf(hasPosixSshd)('a session on another host over ssh (POSIX-only: the throwaway sshd is the system OpenSSH server)', () => {
  it('runs commands with their output, exit codes and error records', async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    expect(s.host).toBe('box');
    expect(s.remotePid).toBeGreaterThan(0);
    const ok = await s.run('"hello from $([Environment]::MachineName)"; 1 + 1');
    expect(ok.status).toBe('completed');
    expect(ok.success).toBe(true);
    expect(ok.output).toContain('hello from');
    expect(ok.output).toContain('2');
    const native = await s.run('bash -c "exit 7"');
    expect(native.exitCode).toBe(7);
    expect(native.success).toBe(false);
    const err = await s.run("Get-Item '/no/such/path'");
    expect(err.success).toBe(false);
    expect(err.errors[0]?.category ?? '').toContain('ObjectNotFound');
    const exited = await s.run('exit 3');
    expect(exited.exitCode).toBe(3);
    expect(exited.sessionAlive).toBe(true);
    const after = await s.run('$LASTEXITCODE');
    expect(after.output.trim()).toBe('3');
  }, 60_000);

  it('brings back an end record too long for one marker in pieces (no shared directory)', async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    const r = await s.run("1..30 | ForEach-Object { Write-Error ('problem number ' + $_ + ' ' + ('x' * 200)) }");
    // 20 records of ~300 characters: far over shell.maxMarkerChars, so the record came in rec markers.
    expect(r.errorCount).toBe(30);
    expect(r.errors.length).toBeGreaterThan(5);
    expect(r.errors.at(-1)?.message).toContain('problem number 30');
    const next = await s.run("'still fine'");
    expect(next.output.trim()).toBe('still fine');
  }, 60_000);

  it('cancels a running command with Ctrl+C and keeps the session', async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    const running = s.run('Start-Sleep -Seconds 60');
    await waitFor(() => s.outputSoFar() !== undefined && s.state === 'running');
    await new Promise((r) => setTimeout(r, 300));
    expect(s.cancel()).toBe(true);
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.sessionAlive).toBe(true);
    const next = await s.run("'after cancel'");
    expect(next.output.trim()).toBe('after cancel');
  }, 60_000);

  it('sees a command wait for input and types the answer', async () => {
    const s = await sessions.start({ inputIdleMs: 300 }, undefined, { remote: target() });
    const asked = new Promise<string>((resolve) => s.onInputWanted((w) => resolve(w.prompt)));
    const running = s.run("$n = Read-Host 'Your name'; \"hi $n\"");
    expect(await asked).toContain('Your name');
    expect(s.sendInput('remote').ok).toBe(true);
    const r = await running;
    expect(r.output).toContain('hi remote');
  }, 60_000);

  it('answers a command cut by a lost connection with a clear error, and the session ends', async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    const running = s.run("'before'; Start-Sleep -Seconds 60");
    await waitFor(() => (s.outputSoFar()?.output ?? '').includes('before'));
    expect(sshd.killConnections()).toBeGreaterThan(0);
    const r = await running;
    expect(r.sessionAlive).toBe(false);
    expect(r.status).toBe('sessionEnded');
    expect(r.message).toMatch(/connection to .*127\.0\.0\.1.* was lost/);
    expect(s.exit?.reason).toMatch(/was lost/);
  }, 60_000);

  it('never sends the host token or any POSHPOOL_ variable but the session tag, even with SendEnv asking for it', async () => {
    const t = target();
    const asking = { ...t, ssh: { ...t.ssh, args: ['-o', 'SendEnv=POSHPOOL_* LC_PROBE', ...t.ssh.args] } };
    const s = await sessions.start({}, undefined, { remote: asking, env: { ...process.env, POSHPOOL_TOKEN: 'secret-must-not-cross', LC_PROBE: 'crossed' } });
    const r = await s.run('(Get-ChildItem env: | Where-Object { $_.Name -like "POSHPOOL*" -or $_.Name -eq "LC_PROBE" } | ForEach-Object { $_.Name + "=" + $_.Value }) -join ";"');
    // The channel works (LC_PROBE crossed), the token did not; the session tag (processTree.ts, not a secret) is ssh's only POSHPOOL_ variable.
    expect(r.output).toContain('LC_PROBE=crossed');
    expect(r.output).not.toContain('secret-must-not-cross');
    const crossed = r.output.trim().split(';').map((kv) => kv.split('=')[0]).filter((k) => k!.startsWith('POSHPOOL'));
    expect(crossed.every((k) => k === 'POSHPOOL_SESSION')).toBe(true);
  }, 60_000);

  it('ends pwsh on the host when the session is ended (the host is this machine here, so its pid can be checked)', async () => {
    const started = await PwshSession.start({ shell: sessions.shell, config: defaultShellConfig({}), outputStore: sessions.store, tempRoot: sessions.dir, remote: target() });
    if (!started.ok) throw new Error(started.reason);
    const s = started.session;
    const remotePid = s.remotePid!;
    expect(alive(remotePid)).toBe(true);
    // The session's pid is the local ssh client's, never the host's pwsh (which poshpool never signals).
    expect(s.pid).not.toBe(remotePid);
    await s.dispose();
    await waitFor(() => !alive(remotePid), 10_000);
  }, 60_000);

  it('ends the session when a command ignores Ctrl+C past the graces, saying so', async () => {
    const s = await sessions.start({ cancelGraceMs: 500, killGraceMs: 500 }, undefined, { remote: target() });
    const r = await s.run('[Console]::TreatControlCAsInput = $true; while ($true) { Start-Sleep -Milliseconds 100 }', { timeoutMs: 1000 });
    expect(r.status).toBe('timedOut');
    expect(r.sessionAlive).toBe(false);
    expect(r.message ?? '').toMatch(/did not stop after Ctrl\+C, so poshpool ended the ssh connection to box, and with it the session there/);
  }, 60_000);

  it('refuses a host whose key is not the one in known_hosts, in plain words', async () => {
    const started = await startRaw({ knownHostsFile: sshd.wrongKnownHosts });
    expect(started.ok).toBe(false);
    expect(!started.ok && started.reason).toMatch(/host key of .* is not the one recorded in known_hosts/);
  }, 30_000);

  it('never accepts an unknown host key', async () => {
    const started = await startRaw({ knownHostsFile: sshd.emptyKnownHosts });
    // The advice records the key where this host's config checks it (its own known_hosts file).
    expect(!started.ok && started.reason).toMatch(/host key is not in \S*known_hosts_empty, and poshpool never accepts a host key by itself\. Connect once with ssh -o UserKnownHostsFile=\S*known_hosts_empty -p \d+ \S+@127\.0\.0\.1/);
  }, 30_000);

  it('says when authentication fails', async () => {
    const started = await startRaw({ identityFile: `${sshd.dir}/other_host_key` });
    expect(!started.ok && started.reason).toMatch(/authentication failed at .*publickey/);
  }, 30_000);

  it('says when nothing listens', async () => {
    const started = await startRaw({ port: await closedPort() });
    expect(!started.ok && started.reason).toMatch(/refused the connection/);
  }, 30_000);

  it('says when pwsh is not where the host config says', async () => {
    const started = await startRaw({ pwsh: '/opt/no-such/pwsh' });
    expect(!started.ok && started.reason).toMatch(/pwsh was not found on .* as "\/opt\/no-such\/pwsh"/);
  }, 30_000);
});

async function startRaw(overrides: Record<string, unknown>) {
  const started = await PwshSession.start({
    shell: sessions.shell,
    config: defaultShellConfig({ startTimeoutMs: 20_000 }),
    outputStore: sessions.store,
    tempRoot: sessions.dir,
    remote: target(overrides),
  });
  if (started.ok) await started.session.dispose();
  return started;
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
