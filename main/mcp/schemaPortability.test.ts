import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';
import { formatFindings, lintSchema, lintTool } from './schemaLint.js';

// Schemas every client accepts: `tools/list` as a real SDK client receives it passes the MCP
// Inspector's `--strict` portability check (redone in schemaLint.ts) and poshpool's own rules; and
// the Inspector's CLI itself (a devDependency, run for real over `poshpool bridge`) reports nothing.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
/** The Inspector's CLI entry (the package's `--cli` mode runs this file). */
const inspectorCli = path.join(path.dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector/package.json')), 'clients/cli/build/index.js');

let dir: string;
let core: Core | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-schemas-'));
});
afterEach(async () => {
  await core?.dispose();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function listedTools(): Promise<Tool[]> {
  requirePwsh();
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 1 }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
  const { server, dispose } = createMcpServer({ core, clientId: 'lint' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'schema-lint', version: '1' });
  await client.connect(clientSide);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
    await dispose();
  }
}

describe('the Inspector strict check, redone (schemaLint.ts)', () => {
  it('flags a type array, as zod folds .nullable() by default, and passes the anyOf form', () => {
    const folded = { type: 'object', properties: { exitCode: { type: ['number', 'null'], description: 'x' } } };
    expect(lintSchema(folded, 'outputSchema')).toEqual([expect.objectContaining({ rule: 'type-union', severity: 'warning', path: 'properties.exitCode' })]);
    const anyOf = { type: 'object', properties: { exitCode: { anyOf: [{ type: 'number' }, { type: 'null', description: 'null: stopped' }] } } };
    expect(lintSchema(anyOf, 'outputSchema')).toEqual([]);
  });

  it('flags a bare boolean schema (error), a remote $ref and a schema that constrains nothing; additionalProperties: false is fine', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: { any: true, remote: { $ref: 'https://example.com/s.json' }, loose: { description: 'anything' }, never: { not: {} } },
    };
    const found = lintSchema(schema, 'inputSchema').map((f) => [f.rule, f.severity, f.path]);
    expect(found).toEqual([
      ['boolean-schema', 'error', 'properties.any'],
      ['remote-ref', 'warning', 'properties.remote'],
      ['untyped-schema', 'warning', 'properties.loose'],
    ]);
  });

  it("asks every tool for a title, an output schema, all four annotation hints, and no union among its inputs", () => {
    const tool: Tool = {
      name: 'bare',
      inputSchema: { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'number' }] } } },
      annotations: { readOnlyHint: true },
    };
    expect(lintTool(tool).map((f) => `${f.rule} ${f.path}`)).toEqual([
      'input-union properties.a',
      'no-output-schema ',
      'no-title ',
      'annotation-missing annotations.destructiveHint',
      'annotation-missing annotations.idempotentHint',
      'annotation-missing annotations.openWorldHint',
    ]);
  });
});

describe('tools/list as an SDK client receives it (real host core, real pwsh)', () => {
  let tools: Tool[];
  beforeEach(async () => {
    tools ??= await listedTools();
  });

  it('has no finding at all: no warning, no error, on any tool', () => {
    expect(tools.length).toBeGreaterThanOrEqual(17);
    const results = tools.map((t) => ({ tool: t.name, findings: lintTool(t) })).filter((r) => r.findings.length > 0);
    expect(formatFindings(results)).toBe('');
  });

  it('keeps the nullable fields nullable, as anyOf with a null branch that says when', () => {
    const runCommand = tools.find((t) => t.name === 'run_command')!;
    const exitCode = (runCommand.outputSchema!.properties as Record<string, { anyOf?: { type: string }[] }>).exitCode!;
    expect(exitCode.anyOf?.map((b) => b.type)).toEqual(['number', 'null']);
  });

  it('states annotations that hold: the read-only tools only read, and the tools that stop or overwrite say destructive', () => {
    const annotations = new Map(tools.map((t) => [t.name, t.annotations!]));
    for (const name of ['queue_position', 'get_job', 'list_sessions', 'get_metrics', 'list_backups', 'diff_backup']) {
      expect(annotations.get(name), name).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    }
    for (const name of ['run_command', 'run_background', 'cancel_command', 'cancel_job', 'cancel_request', 'end_session', 'restore_backup', 'send_input']) {
      expect(annotations.get(name), name).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    }
    for (const name of ['start_session', 'change_priority', 'backup_now']) expect(annotations.get(name), name).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  });
});

describe('the MCP Inspector CLI itself (@modelcontextprotocol/inspector, --strict)', () => {
  it('lists the tools over `poshpool bridge` and reports no portability finding', async () => {
    requirePwsh();
    const home = path.join(dir, 'home');
    mkdirSync(home);
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ warmSessions: 1, maxSessions: 1 }));
    // `--` ends the Inspector's options: poshpool's own --config must not be read as the Inspector's.
    const args = [inspectorCli, '--method', 'tools/list', '--strict', '--format', 'json', '--', process.execPath, bin, 'bridge', '--data-dir', path.join(dir, 'data'), '--config', configFile];
    const child = spawn(process.execPath, args, { env: { ...process.env, HOME: home, USERPROFILE: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).not.toMatch(/Warning:|Error:|Schema portability/);
    expect(code, err).toBe(0);
    const envelope = JSON.parse(out) as { result: { tools: Tool[] }; schemaFindings?: unknown };
    expect(envelope.schemaFindings).toBeUndefined();
    expect(envelope.result.tools.map((t) => t.name)).toContain('run_command');
  }, 60_000);
});
