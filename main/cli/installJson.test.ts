import { describe, expect, it } from 'vitest';
import { planJsonEdit } from './installJson.js';

const entry = { type: 'stdio', command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'] };

const commented = `// My servers. Keep this comment.
{
    /* the one I use every day */
    "servers": {
        "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }, // trailing note
    },
    "inputs": [],
}
`;

/** What `after` inserted into `before`, when it only inserted one run of text (else undefined). */
function insertion(before: string, after: string): string | undefined {
  let p = 0;
  while (p < before.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  return p + s === before.length ? after.slice(p, after.length - s) : undefined;
}

describe('planJsonEdit', () => {
  it('adds the entry and keeps every comment, trailing comma and indentation byte for byte', () => {
    const plan = planJsonEdit(commented, 'servers', 'poshpool', entry);
    expect(plan).toMatchObject({ ok: true, status: 'added' });
    if (!plan.ok) return;
    // One insertion after the last server: every character of the file is still there, in order.
    expect(insertion(commented, plan.text)).toBeDefined();
    const server = ['        "poshpool": {', '            "type": "stdio",', '            "command": "/usr/bin/node",', '            "args": [', '                "/opt/poshpool/bin/poshpool.js",', '                "bridge"', '            ]', '        }'].join('\n');
    expect(plan.text).toBe(commented.replace('}, // trailing note', `},\n${server}, // trailing note`));
  });

  it('is idempotent: the same entry again is "unchanged" with the text as it was', () => {
    const first = planJsonEdit(commented, 'servers', 'poshpool', entry);
    if (!first.ok) throw new Error(first.reason);
    expect(planJsonEdit(first.text, 'servers', 'poshpool', entry)).toEqual({ ok: true, status: 'unchanged', text: first.text });
  });

  it('updates an old entry member by member, keeping members and comments the person added', () => {
    const old = `{
  "mcpServers": {
    "poshpool": {
      "command": "/old/node", // was here before
      "args": ["/old/poshpool.js", "bridge"],
      "env": { "POSHPOOL_DATA_DIR": "/data" }
    }
  }
}`;
    const plan = planJsonEdit(old, 'mcpServers', 'poshpool', { command: '/usr/bin/node', args: ['/new/poshpool.js', 'bridge'] });
    expect(plan).toMatchObject({ ok: true, status: 'updated' });
    if (!plan.ok) return;
    expect(plan.text).toContain('"command": "/usr/bin/node", // was here before');
    expect(plan.text).toContain('"args": [\n        "/new/poshpool.js",\n        "bridge"\n      ],\n');
    expect(plan.text).toContain('"env": { "POSHPOOL_DATA_DIR": "/data" }');
    expect(plan.text).not.toContain('/old/');
  });

  it('removes only its own entry on uninstall', () => {
    const installed = planJsonEdit(commented, 'servers', 'poshpool', entry);
    if (!installed.ok) throw new Error(installed.reason);
    const removed = planJsonEdit(installed.text, 'servers', 'poshpool', undefined);
    expect(removed).toMatchObject({ ok: true, status: 'removed' });
    if (!removed.ok) return;
    expect(removed.text).toBe(commented);
    expect(planJsonEdit(removed.text, 'servers', 'poshpool', undefined)).toMatchObject({ ok: true, status: 'absent', text: removed.text });
  });

  it('uninstall keeps strict JSON strict: the comma before a last member goes with it, comments stay', () => {
    const strict = '{\n  "mcpServers": {\n    "a": { "command": "a" }, // mine\n    "poshpool": { "command": "x", "args": [] }\n  },\n  "other": 1\n}\n';
    const removed = planJsonEdit(strict, 'mcpServers', 'poshpool', undefined);
    if (!removed.ok) throw new Error(removed.reason);
    expect(removed.text).toBe('{\n  "mcpServers": {\n    "a": { "command": "a" } // mine\n  },\n  "other": 1\n}\n');
    expect(() => JSON.parse(removed.text.replace('// mine', ''))).not.toThrow();
    const inline = planJsonEdit('{"mcpServers":{"a":{},"poshpool":{}}}', 'mcpServers', 'poshpool', undefined);
    expect(inline).toMatchObject({ ok: true, text: '{"mcpServers":{"a":{}}}' });
  });

  it("keeps a byte order mark (Notepad's) in front", () => {
    const plan = planJsonEdit('\uFEFF{ "mcpServers": {} }', 'mcpServers', 'poshpool', { command: 'x', args: [] });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.text.startsWith('\uFEFF{ "mcpServers": {')).toBe(true);
    expect(JSON.parse(plan.text.slice(1))).toEqual({ mcpServers: { poshpool: { command: 'x', args: [] } } });
  });

  it('fills an empty container and keeps tabs', () => {
    const plan = planJsonEdit('{\n\t"servers": {},\n\t"inputs": []\n}', 'servers', 'poshpool', { command: 'x', args: [] });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.text).toBe('{\n\t"servers": {\n\t\t"poshpool": {\n\t\t\t"command": "x",\n\t\t\t"args": []\n\t\t}\n\t},\n\t"inputs": []\n}');
  });

  it('creates a whole file when there is none (or it is empty)', () => {
    for (const text of [undefined, '', '  \n']) {
      const plan = planJsonEdit(text, 'mcpServers', 'poshpool', entry);
      expect(plan).toMatchObject({ ok: true, status: 'added' });
      if (plan.ok) expect(JSON.parse(plan.text)).toEqual({ mcpServers: { poshpool: entry } });
    }
    expect(planJsonEdit(undefined, 'mcpServers', 'poshpool', undefined)).toMatchObject({ ok: true, status: 'absent' });
  });

  it('adds the container when the file has none, keeping CRLF line ends', () => {
    const plan = planJsonEdit('{\r\n  "numStartups": 41,\r\n  "theme": "dark"\r\n}\r\n', 'mcpServers', 'poshpool', entry);
    if (!plan.ok) throw new Error(plan.reason);
    expect(JSON.parse(plan.text)).toEqual({ numStartups: 41, theme: 'dark', mcpServers: { poshpool: entry } });
    expect(plan.text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('refuses a file that does not parse, with the line and column and what to do', () => {
    const plan = planJsonEdit('{\n  "servers": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}\n', 'servers', 'poshpool', entry);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.reason).toContain('it is not valid JSON (comments and trailing commas are allowed): line 4, column 5: a comma is missing');
    // The line quoted, a caret under the place.
    expect(plan.reason).toContain('\n      "b": {}\n      ^');
    expect(plan.reason).toContain('Fix that (or move the file away), then run this again.');
  });

  it('refuses a root that is not an object and a container that is not one', () => {
    expect(planJsonEdit('[1, 2]', 'servers', 'poshpool', entry)).toMatchObject({ ok: false, reason: expect.stringContaining('JSON array, not an object') });
    expect(planJsonEdit('{\n  "servers": [1]\n}', 'servers', 'poshpool', entry)).toMatchObject({ ok: false, reason: expect.stringContaining('"servers" (line 2, column 14) is a array') });
  });
});
