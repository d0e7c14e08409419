import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { planTomlEdit } from './installToml.js';

const entry = { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\poshpool\\bin\\poshpool.js', 'bridge'] };

const config = `# Codex settings, mine.
model = "gpt-5-codex"   # the one I like
approval_policy = "on-request"

[mcp_servers.docs]
command = "docs-server"
args = ["--port", "0"] # keep

[mcp_servers.docs.env]
TOKEN_VAR = "X"

# Profiles below.
[profiles.fast]
model = "o4-mini"
`;

describe('planTomlEdit (Codex config.toml)', () => {
  it('appends a [mcp_servers.poshpool] table and keeps every other line as written', () => {
    const plan = planTomlEdit(config, 'mcp_servers', 'poshpool', entry);
    expect(plan).toMatchObject({ ok: true, status: 'added' });
    if (!plan.ok) return;
    expect(plan.text.startsWith(config)).toBe(true);
    expect(plan.text.slice(config.length)).toBe('\n[mcp_servers.poshpool]\ncommand = "C:\\\\Program Files\\\\nodejs\\\\node.exe"\nargs = [ "C:\\\\poshpool\\\\bin\\\\poshpool.js", "bridge" ]\n');
    expect((parse(plan.text) as { mcp_servers: Record<string, unknown> }).mcp_servers.poshpool).toEqual(entry);
  });

  it('is idempotent, and updates its own table in place keeping keys the person added', () => {
    const first = planTomlEdit(config, 'mcp_servers', 'poshpool', entry);
    if (!first.ok) throw new Error(first.reason);
    expect(planTomlEdit(first.text, 'mcp_servers', 'poshpool', entry)).toEqual({ ok: true, status: 'unchanged', text: first.text });
    const mine = config.replace('# Profiles below.', '[mcp_servers.poshpool]\ncommand = "/old/node"\nargs = ["/old/poshpool.js", "bridge"]\nstartup_timeout_sec = 30\n\n[mcp_servers.poshpool.env]\nA = "1"\n\n# Profiles below.');
    const updated = planTomlEdit(mine, 'mcp_servers', 'poshpool', { command: '/usr/bin/node', args: ['/new/poshpool.js', 'bridge'] });
    expect(updated).toMatchObject({ ok: true, status: 'updated' });
    if (!updated.ok) return;
    const data = parse(updated.text) as { mcp_servers: Record<string, unknown>; profiles: unknown };
    expect(data.mcp_servers.poshpool).toEqual({ command: '/usr/bin/node', args: ['/new/poshpool.js', 'bridge'], startup_timeout_sec: 30, env: { A: '1' } });
    // The comment that belongs to the next table stays in front of it; the rest of the file is untouched.
    expect(updated.text).toContain('\n# Profiles below.\n[profiles.fast]\nmodel = "o4-mini"\n');
    expect(updated.text.startsWith(config.slice(0, config.indexOf('# Profiles below.')))).toBe(true);
  });

  it('removes only its own table (and sub-tables) on uninstall', () => {
    const installed = planTomlEdit(config, 'mcp_servers', 'poshpool', entry);
    if (!installed.ok) throw new Error(installed.reason);
    const removed = planTomlEdit(installed.text, 'mcp_servers', 'poshpool', undefined);
    expect(removed).toEqual({ ok: true, status: 'removed', text: config });
    expect(planTomlEdit(config, 'mcp_servers', 'poshpool', undefined)).toEqual({ ok: true, status: 'absent', text: config });
  });

  it('creates the file when there is none, and keeps CRLF line ends', () => {
    const fresh = planTomlEdit(undefined, 'mcp_servers', 'poshpool', entry);
    if (!fresh.ok) throw new Error(fresh.reason);
    expect(parse(fresh.text)).toEqual({ mcp_servers: { poshpool: entry } });
    const crlf = planTomlEdit('model = "o3"\r\n', 'mcp_servers', 'poshpool', entry);
    if (!crlf.ok) throw new Error(crlf.reason);
    expect(crlf.text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('refuses a file that does not parse, with the line and column and what to do', () => {
    const plan = planTomlEdit('model = "o3"\n[mcp_servers.docs\ncommand = "x"\n', 'mcp_servers', 'poshpool', entry);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reason).toMatch(/line 2, column \d+ .*Fix that line/);
  });

  it('refuses an entry written as an inline table or dotted keys rather than rewrite it wrongly', () => {
    for (const text of ['[mcp_servers]\nposhpool = { command = "/old/node", args = [] }\n', 'mcp_servers.poshpool.command = "/old/node"\n']) {
      const plan = planTomlEdit(text, 'mcp_servers', 'poshpool', entry);
      expect(plan).toMatchObject({ ok: false, reason: expect.stringContaining('Make it a [mcp_servers.poshpool] table or delete it') });
    }
  });

  it('finds its table under a quoted header too', () => {
    const plan = planTomlEdit('[mcp_servers."poshpool"]\ncommand = "/old"\n', 'mcp_servers', 'poshpool', undefined);
    expect(plan).toEqual({ ok: true, status: 'removed', text: '' });
  });
});
