import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPosix } from '../../../test/platformGates.js';
import { loadConfig, saveConfig, updateConfig } from './load.js';
import { configSchema, defaultConfig } from './schema.js';

let root: string;
let file: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'poshpool-config-test-'));
  file = path.join(root, 'config.json');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The reason of a failed load or save. */
function reasonOf(r: { ok: true } | { ok: false; reason: string }): string {
  if (r.ok) throw new Error('expected a failure');
  return r.reason;
}

function modeOf(p: string): number {
  return statSync(p).mode & 0o777;
}

describe('loadConfig', () => {
  it('uses the defaults when the file does not exist (nor its directory)', () => {
    expect(loadConfig(file)).toEqual({ ok: true, config: defaultConfig(), source: 'defaults' });
    expect(loadConfig(path.join(root, 'no', 'such', 'dir', 'config.json'))).toEqual({ ok: true, config: defaultConfig(), source: 'defaults' });
  });

  it('reads the fields of the file and fills in the rest', () => {
    writeFileSync(file, JSON.stringify({ maxSessions: 7, shell: { rows: 60 } }));
    const r = loadConfig(file);
    expect(r).toEqual({ ok: true, config: defaultConfig({ maxSessions: 7, shell: { ...defaultConfig().shell, rows: 60 } }), source: 'file' });
  });

  it('reads a file that starts with a UTF-8 byte order mark', () => {
    writeFileSync(file, '\uFEFF{"warmSessions": 1}\r\n');
    const r = loadConfig(file);
    expect(r.ok && r.config.warmSessions).toBe(1);
    expect(r.ok && r.source).toBe('file');
  });

  it('reads {} as the defaults, from the file', () => {
    writeFileSync(file, '{}');
    expect(loadConfig(file)).toEqual({ ok: true, config: defaultConfig(), source: 'file' });
  });

  it('rejects an empty file, saying what to write', () => {
    writeFileSync(file, '  \n');
    expect(reasonOf(loadConfig(file))).toBe(`Config file ${file} is empty. Write {} in it (or the fields you want to change), or delete it to use the defaults.`);
  });

  it('reads comments and trailing commas (JSONC)', () => {
    writeFileSync(file, '// poshpool\n{\n  /* lent at once */ "maxSessions": 7,\n  "shell": { "rows": 60, }, // taller\n}\n');
    expect(loadConfig(file)).toEqual({ ok: true, config: defaultConfig({ maxSessions: 7, shell: { ...defaultConfig().shell, rows: 60 } }), source: 'file' });
  });

  it('names the file, the line and column and quotes the line for invalid JSON', () => {
    writeFileSync(file, '{\n  // four at once\n  "maxSessions": 4\n  "warmSessions": 1,\n}\n');
    const reason = reasonOf(loadConfig(file));
    expect(reason.split('\n')).toEqual([
      `Config file ${file} is not valid JSON (comments and trailing commas are allowed): line 4, column 3: a comma is missing before '"'.`,
      '    "warmSessions": 1,',
      `  ${' '.repeat(2)}^`,
      'Fix the file, or delete it to use the defaults.',
    ]);
  });

  it('keeps the caret under the culprit on a long line', () => {
    writeFileSync(file, `{"shell": {"path": "${'x'.repeat(300)}", "cols": 200,,}}`);
    const lines = reasonOf(loadConfig(file)).split('\n');
    expect(lines[0]).toContain('line 1, column 336:');
    const excerpt = lines[1] ?? '';
    const caretAt = (lines[2] ?? '').indexOf('^');
    expect(excerpt.length).toBeLessThanOrEqual(2 + 120);
    expect(excerpt[caretAt]).toBe(',');
  });

  it('reports an unclosed comment and a truncated file at the end', () => {
    writeFileSync(file, '{\n  "maxSessions": 4 /* more later\n}\n');
    expect(reasonOf(loadConfig(file)).split('\n')[0]).toBe(
      `Config file ${file} is not valid JSON (comments and trailing commas are allowed): line 2, column 20: a '/*' comment is not closed with '*/'.`,
    );
    writeFileSync(file, '{\r\n  "maxSessions": 4,\r\n');
    expect(reasonOf(loadConfig(file)).split('\n')[0]).toBe(
      `Config file ${file} is not valid JSON (comments and trailing commas are allowed): line 3, column 1: the file ends before an object is closed with '}'.`,
    );
  });

  it('lists every schema problem with the file and how to fix it', () => {
    writeFileSync(file, JSON.stringify({ maxSesions: 3, maxSessions: 0, shell: { cols: 20, colz: 1 } }, null, 2));
    const reason = reasonOf(loadConfig(file));
    expect(reason.split('\n')).toEqual([
      `Config file ${file} has 4 problems:`,
      `  - maxSessions: found 0: it must be at least 1. Allowed: a whole number from 1 to 64, default ${defaultConfig().maxSessions} (Sessions lent at once at most).`,
      `  - shell.cols: found 20: it must be at least 40. Allowed: a whole number from 40 to 1000, default ${defaultConfig().shell.cols} (Terminal columns).`,
      '  - maxSesions: unknown field. Did you mean "maxSessions"?',
      '  - shell.colz: unknown field. Did you mean "shell.cols"?',
      `Edit ${file} to fix them; a field left out takes its default.`,
    ]);
  });

  it('reports the cross-field rule as a problem of the file', () => {
    writeFileSync(file, '{"warmSessions": 3, "maxSessions": 2}');
    expect(reasonOf(loadConfig(file))).toBe(
      `Config file ${file} has 1 problem:\n` +
        '  - warmSessions: is 3 but maxSessions is 2: no more sessions can be kept warm than may be lent at once. ' +
        'Set warmSessions to at most 2, or maxSessions to at least 3.\n' +
        `Edit ${file} to fix them; a field left out takes its default.`,
    );
  });

  it('rejects a file that holds something other than an object', () => {
    writeFileSync(file, '[1, 2]');
    expect(reasonOf(loadConfig(file))).toContain(`Config file ${file} has 1 problem:\n  - (whole file): the config must be a JSON object`);
  });

  it('reports a directory where the file should be', () => {
    mkdirSync(file);
    expect(reasonOf(loadConfig(file))).toBe(`Config file ${file} is a directory, not a file. Remove it or point POSHPOOL_CONFIG at a JSON file.`);
  });

  it.runIf(onPosix)('reports a path that runs through a file (POSIX-only: ENOTDIR; Windows reports such a path as not found)', () => {
    writeFileSync(path.join(root, 'plain'), 'x');
    const bad = path.join(root, 'plain', 'config.json');
    const reason = reasonOf(loadConfig(bad));
    expect(reason).toContain(`Config file ${bad} cannot be read: ENOTDIR`);
    expect(reason).toContain('A part of the path is a file, not a directory');
  });
});

describe('saveConfig', () => {
  it('writes only the given fields and loads back to the same config', () => {
    const r = saveConfig(file, { maxSessions: 8, shell: { cols: 160 } });
    expect(r.ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{\n  "maxSessions": 8,\n  "shell": {\n    "cols": 160\n  }\n}\n');
    const loaded = loadConfig(file);
    expect(loaded.ok && loaded.source).toBe('file');
    expect(loaded.ok && r.ok && loaded.config).toEqual(r.ok && r.config);
    expect(r.ok && r.config.shell.cols).toBe(160);
    expect(r.ok && r.config.shell.rows).toBe(50);
  });

  it('creates missing directories', () => {
    const nested = path.join(root, 'a', 'b', 'config.json');
    expect(saveConfig(nested, {}).ok).toBe(true);
    expect(readFileSync(nested, 'utf8')).toBe('{}\n');
  });

  it('replaces an existing file and leaves no temp file', () => {
    writeFileSync(file, '{"maxSessions": 3}', { mode: 0o644 });
    expect(saveConfig(file, { maxSessions: 9 }).ok).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ maxSessions: 9 });
    expect(readdirSync(root)).toEqual(['config.json']);
  });

  describe.runIf(onPosix)('user-only (POSIX-only: file modes; Windows uses an ACL)', () => {
    it('writes the file 0600', () => {
      expect(saveConfig(file, { maxSessions: 8 }).ok).toBe(true);
      expect(modeOf(file)).toBe(0o600);
    });

    it('creates missing directories 0700', () => {
      expect(saveConfig(path.join(root, 'a', 'b', 'config.json'), {}).ok).toBe(true);
      expect(modeOf(path.join(root, 'a'))).toBe(0o700);
      expect(modeOf(path.join(root, 'a', 'b'))).toBe(0o700);
    });

    it('makes a replaced 0644 file 0600', () => {
      writeFileSync(file, '{"maxSessions": 3}', { mode: 0o644 });
      expect(saveConfig(file, { maxSessions: 9 }).ok).toBe(true);
      expect(modeOf(file)).toBe(0o600);
    });
  });

  it('refuses an invalid config and leaves the file untouched', () => {
    writeFileSync(file, '{"maxSessions": 3}');
    const reason = reasonOf(saveConfig(file, { maxSessions: 70, warmSessions: 1, bogus: true } as never));
    expect(reason.split('\n')).toEqual([
      'Config has 2 problems:',
      `  - maxSessions: found 70: it must be at most 64. Allowed: a whole number from 1 to 64, default ${defaultConfig().maxSessions} (Sessions lent at once at most).`,
      `  - bogus: unknown field. Remove it; the known fields here are: ${Object.keys(configSchema.shape).join(', ')}.`,
      `Correct these values; nothing was written to ${file}.`,
    ]);
    expect(readFileSync(file, 'utf8')).toBe('{"maxSessions": 3}');
    expect(readdirSync(root)).toEqual(['config.json']);
  });

  it('refuses a config that breaks the cross-field rule', () => {
    expect(reasonOf(saveConfig(file, { warmSessions: 4, maxSessions: 3 }))).toContain('warmSessions: is 4 but maxSessions is 3');
    expect(existsSync(file)).toBe(false);
  });

  it('writes through a symlink, keeping the link', () => {
    const realDir = path.join(root, 'dotfiles');
    mkdirSync(realDir);
    const real = path.join(realDir, 'poshpool.json');
    writeFileSync(real, '{}');
    symlinkSync(real, file);
    expect(saveConfig(file, { maxWaiting: 10 }).ok).toBe(true);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8'))).toEqual({ maxWaiting: 10 });
    expect(readdirSync(realDir)).toEqual(['poshpool.json']);
  });

  it('reports a failed write as a value and removes its temp file', () => {
    // A directory in the file's place: the temp file is written, the rename fails.
    mkdirSync(file);
    writeFileSync(path.join(file, 'keep'), 'x');
    const reason = reasonOf(saveConfig(file, { maxSessions: 4 }));
    expect(reason).toMatch(new RegExp(`^Config could not be saved to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: E\\w+: .+ The file was left as it was\\.$`));
    expect(readdirSync(root)).toEqual(['config.json']);
    expect(readdirSync(file)).toEqual(['keep']);
  });

  it('reports a directory that cannot be created', () => {
    writeFileSync(path.join(root, 'plain'), 'x');
    const reason = reasonOf(saveConfig(path.join(root, 'plain', 'sub', 'config.json'), {}));
    expect(reason).toContain('ENOTDIR');
    expect(reason).toContain('A part of the path is a file, not a directory');
    expect(readFileSync(path.join(root, 'plain'), 'utf8')).toBe('x');
  });

  it('never lets a concurrent reader see a partial file', async () => {
    const small = { maxSessions: 2, warmSessions: 1 };
    const large = { maxSessions: 9, shell: { path: 'p'.repeat(200_000) } };
    expect(saveConfig(file, small).ok).toBe(true);
    const shared = new Int32Array(new SharedArrayBuffer(8));
    // Slot 0: the reader started; slot 1: stop reading.
    const reader = new Worker(
      `
      const { readFileSync } = require('node:fs');
      const { workerData, parentPort } = require('node:worker_threads');
      const flags = workerData.flags;
      let reads = 0, bad = [];
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      while (Atomics.load(flags, 1) === 0) {
        const text = readFileSync(workerData.file, 'utf8');
        reads++;
        try { JSON.parse(text); } catch { if (bad.length < 3) bad.push(text.length); }
      }
      parentPort.postMessage({ reads, bad });
      `,
      { eval: true, workerData: { file, flags: shared } },
    );
    const done = new Promise<{ reads: number; bad: number[] }>((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    Atomics.wait(shared, 0, 0, 10_000);
    for (let i = 0; i < 200; i++) expect(saveConfig(file, i % 2 === 0 ? large : small).ok).toBe(true);
    Atomics.store(shared, 1, 1);
    const result = await done;
    await reader.terminate();
    expect(result.bad).toEqual([]);
    expect(result.reads).toBeGreaterThan(10);
    expect(readdirSync(root)).toEqual(['config.json']);
  });
});

describe('updateConfig', () => {
  it('changes the fields asked for and keeps what the person wrote, defaults unwritten', () => {
    writeFileSync(file, '\uFEFF{ "maxSessions": 7, "notifications": { "backupFailed": false } }');
    const r = updateConfig(file, (raw) => {
      raw.notifications = { ...(raw.notifications as object), poolDegraded: false };
    });
    expect(r.ok && r.config.notifications).toEqual({ sessionAbandoned: true, backupFailed: false, poolDegraded: false, approvalRequested: true });
    const written = readFileSync(file, 'utf8');
    expect(written.startsWith('\uFEFF')).toBe(true);
    expect(JSON.parse(written.slice(1))).toEqual({ maxSessions: 7, notifications: { backupFailed: false, poolDegraded: false } });
  });

  it("keeps the person's comments, layout and trailing commas, rewriting only the changed value", () => {
    const text = '// my poshpool\n{\n  "maxSessions": 7, // enough\n  "notifications": {\n    "backupFailed": false, /* noisy */\n    "poolDegraded": true,\n  },\n}\n';
    writeFileSync(file, text);
    const r = updateConfig(file, (raw) => {
      raw.notifications = { ...(raw.notifications as object), poolDegraded: false };
    });
    expect(r.ok && r.config.notifications).toEqual({ sessionAbandoned: true, backupFailed: false, poolDegraded: false, approvalRequested: true });
    expect(readFileSync(file, 'utf8')).toBe(text.replace('"poolDegraded": true', '"poolDegraded": false'));
    expect(readdirSync(root)).toEqual(['config.json']);
  });

  it('adds a new section in the indentation of the file, keeping its comments', () => {
    writeFileSync(file, '{\n    // tabs of four\n    "maxSessions": 7\n}');
    expect(updateConfig(file, (raw) => void (raw.notifications = { sessionAbandoned: false })).ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{\n    // tabs of four\n    "maxSessions": 7,\n    "notifications": {\n        "sessionAbandoned": false\n    }\n}\n');
  });

  it('writes {} when there is no file and nothing changes', () => {
    expect(updateConfig(file, () => undefined)).toEqual({ ok: true, config: defaultConfig() });
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
  });

  it('removes a field the patch deletes', () => {
    writeFileSync(file, '{\n  // keep me\n  "maxSessions": 7,\n  "maxWaiting": 10\n}\n');
    expect(updateConfig(file, (raw) => void delete raw.maxWaiting).ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{\n  // keep me\n  "maxSessions": 7\n}\n');
  });

  it('refuses a change that makes the config invalid and leaves the file as it was', () => {
    const text = '{\n  // mine\n  "maxSessions": 2\n}\n';
    writeFileSync(file, text);
    const reason = reasonOf(updateConfig(file, (raw) => void (raw.warmSessions = 3)));
    expect(reason).toContain('warmSessions: is 3 but maxSessions is 2');
    expect(reason).toContain(`nothing was written to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(root)).toEqual(['config.json']);
  });

  it('never overwrites a file with a syntax error', () => {
    writeFileSync(file, '{ "maxSessions": 3 "warmSessions": 1 }');
    const reason = reasonOf(updateConfig(file, (raw) => void (raw.notifications = {})));
    expect(reason).toContain('line 1, column 20: a comma is missing');
    expect(readFileSync(file, 'utf8')).toBe('{ "maxSessions": 3 "warmSessions": 1 }');
  });

  it('creates the file when there is none', () => {
    const r = updateConfig(file, (raw) => void (raw.notifications = { sessionAbandoned: false }));
    expect(r.ok).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ notifications: { sessionAbandoned: false } });
  });

  it('never overwrites a file that does not load', () => {
    writeFileSync(file, '{ "maxSessions": "many" }');
    const r = updateConfig(file, (raw) => void (raw.notifications = {}));
    expect(reasonOf(r)).toContain('maxSessions');
    expect(readFileSync(file, 'utf8')).toBe('{ "maxSessions": "many" }');
  });
});
