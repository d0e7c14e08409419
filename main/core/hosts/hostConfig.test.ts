import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/issues.js';
import { loadConfig } from '../config/load.js';
import { destinationOf, hostsSchema, remoteHostSchema } from './hostConfig.js';

/** The messages of a hosts list zod refuses (empty when it is accepted). */
function refusals(hosts: unknown): string[] {
  const r = hostsSchema.safeParse(hosts);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

function accepts(fields: Record<string, unknown>): boolean {
  return remoteHostSchema.safeParse({ name: 'box', ssh: 'box', ...fields }).success;
}

describe('host names', () => {
  it('accepts letters, digits, dots, dashes and underscores up to 64, starting with a letter or digit', () => {
    for (const name of ['box', 'Build-01', 'win11.lab', 'gpu_2', '9lives', 'a'.repeat(64)]) expect(accepts({ name })).toBe(true);
  });

  it('refuses other characters, a leading dash or dot, an empty name and names over 64', () => {
    for (const name of ['', '-box', '.box', '_box', 'my box', 'box/1', 'box:22', 'bóx', 'a'.repeat(65), 'box\n']) expect(accepts({ name })).toBe(false);
  });

  it('refuses "local" in any case: it names this machine', () => {
    for (const name of ['local', 'LOCAL', 'Local']) {
      const r = remoteHostSchema.safeParse({ name, ssh: 'box' });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toContain('names this machine');
    }
    expect(accepts({ name: 'localhost' })).toBe(true);
  });

  it('must be unique case-insensitively (agents type them), naming the earlier entry', () => {
    expect(refusals([{ name: 'Box', ssh: 'a' }, { name: 'other', ssh: 'b' }, { name: 'box', ssh: 'c' }])).toEqual(['2.name: "box" is already the name of hosts[0]; host names must be unique']);
    expect(refusals([{ name: 'box', ssh: 'a' }, { name: 'box2', ssh: 'a' }])).toEqual([]);
  });
});

describe('what goes on the ssh command line', () => {
  it('refuses a destination starting with "-": ssh would read it as an option (-oProxyCommand=... runs a command)', () => {
    for (const ssh of ['-oProxyCommand=touch /tmp/x', '-p2222', '--', '-']) expect(accepts({ ssh })).toBe(false);
    expect(remoteHostSchema.safeParse({ name: 'box', ssh: '-oProxyCommand=x' }).error?.issues[0]?.message).toBe('must not start with "-"');
  });

  it('accepts host, user@host and an ssh config alias; refuses an empty one and line breaks', () => {
    for (const ssh of ['box', 'ann@box.example', 'ann@10.0.0.5', 'build-alias', 'ann@[::1]']) expect(accepts({ ssh })).toBe(true);
    for (const ssh of ['', 'box\nProxyCommand x', 'box\r', 'box\0']) expect(accepts({ ssh })).toBe(false);
  });

  it('refuses an identityFile or knownHostsFile that starts with "-" or holds a line break', () => {
    for (const field of ['identityFile', 'knownHostsFile']) {
      expect(accepts({ [field]: '/home/ann/.ssh/id_ed25519' })).toBe(true);
      expect(accepts({ [field]: 'C:\\Users\\Ann Lee\\.ssh\\key' })).toBe(true);
      expect(accepts({ [field]: '-oProxyCommand=x' })).toBe(false);
      expect(accepts({ [field]: 'key\nHost *' })).toBe(false);
    }
  });

  it("refuses a pwsh with quotes, $, %, ` or line breaks (it is a word of the host's shell, sh or cmd.exe)", () => {
    for (const pwsh of ['pwsh', '/opt/microsoft/powershell/7/pwsh', 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'powershell']) expect(accepts({ pwsh })).toBe(true);
    for (const pwsh of ['"pwsh"', "pw'sh", '$HOME/pwsh', '%ProgramFiles%\\PowerShell\\7\\pwsh.exe', 'pw`sh', 'pwsh\nrm -rf ~', 'pwsh\r', '']) expect(accepts({ pwsh })).toBe(false);
  });

  it('takes a port from 1 to 65535 only', () => {
    expect(accepts({ port: 22 })).toBe(true);
    for (const port of [0, 65536, 22.5, '22']) expect(accepts({ port })).toBe(false);
  });

  it('refuses fields it does not know (no way to pass other ssh options)', () => {
    expect(accepts({ proxyCommand: 'nc %h %p' })).toBe(false);
  });
});

describe('defaults', () => {
  it('lends 2 sessions at most, keeps 1 warm, runs "pwsh", not Windows, no labels, 15 s to connect and between keep-alives', () => {
    expect(remoteHostSchema.parse({ name: 'box', ssh: 'ann@box' })).toEqual({
      name: 'box',
      ssh: 'ann@box',
      pwsh: 'pwsh',
      windows: false,
      maxSessions: 2,
      warmSessions: 1,
      labels: [],
      connectTimeoutSeconds: 15,
      keepAliveSeconds: 15,
    });
  });

  it('has no hosts unless the config names some', () => {
    expect(hostsSchema.parse(undefined)).toEqual([]);
  });

  it('writes the destination as people do: user@host, with :port when one is set', () => {
    expect(destinationOf({ ssh: 'ann@box' })).toBe('ann@box');
    expect(destinationOf({ ssh: 'ann@box', port: 2222 })).toBe('ann@box:2222');
  });
});

describe('a wrong hosts entry through the config loader', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-hostcfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function load(text: string): ReturnType<typeof loadConfig> {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.jsonc`);
    writeFileSync(file, text);
    return loadConfig(file);
  }

  it('loads a good hosts list with its defaults filled in', () => {
    const r = load('{ "hosts": [ { "name": "buildbox", "ssh": "ci@build.lan", "labels": ["build"] } ] }');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.hosts).toEqual([expect.objectContaining({ name: 'buildbox', ssh: 'ci@build.lan', maxSessions: 2, warmSessions: 1, pwsh: 'pwsh', labels: ['build'] })]);
  });

  it('names the file, the field and what is wrong with a destination that would be an ssh option', () => {
    const r = load('{\n  // a host\n  "hosts": [ { "name": "box", "ssh": "-oProxyCommand=calc" } ]\n}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain('hosts.0.ssh');
    expect(r.reason).toContain('must not start with "-"');
    expect(r.reason).toContain('-oProxyCommand=calc');
    expect(r.reason).not.toMatch(/ZodError|"code":|\[object Object\]/);
  });

  it('says which entries share a name, and about "local"', () => {
    const r = load(JSON.stringify({ hosts: [{ name: 'box', ssh: 'a' }, { name: 'BOX', ssh: 'b' }, { name: 'local', ssh: 'c' }] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain('hosts.1.name');
    expect(r.reason).toContain('"BOX" is already the name of hosts[0]');
    expect(r.reason).toContain('hosts.2.name');
    expect(r.reason).toContain('names this machine');
  });

  it('suggests the field meant for a misspelt one, and refuses a pwsh with a quote in words', () => {
    const checked = validateConfig({ hosts: [{ name: 'box', ssh: 'box', maxSesions: 3, pwsh: '"C:\\pwsh.exe"' }] });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    const byPath = Object.fromEntries(checked.problems.map((p) => [p.path, p.message]));
    expect(byPath['hosts.0.maxSesions']).toContain('Did you mean "hosts.0.maxSessions"?');
    expect(byPath['hosts.0.pwsh']).toContain('must not contain quotes');
  });
});
