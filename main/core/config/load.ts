import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { findJsonSyntaxError } from './jsonSyntax.js';
import { configSchema, defaultConfig, type PoshpoolConfig } from './schema.js';
import { validateConfig, type ConfigProblem } from './validate.js';

/** What a config file may hold: any subset of the fields (the rest take their defaults). */
export type ConfigInput = z.input<typeof configSchema>;

/** The config in force, and whether it came from the file or is all defaults (no file). */
export type LoadConfigResult = { ok: true; config: PoshpoolConfig; source: 'file' | 'defaults' } | { ok: false; reason: string };

/** The config as saved (with defaults filled in), or why nothing was written. */
export type SaveConfigResult = { ok: true; config: PoshpoolConfig } | { ok: false; reason: string };

/** Permissions of the config file: the user's only. */
export const CONFIG_FILE_MODE = 0o600;
/** Permissions of a config directory poshpool creates: the user's only. */
export const CONFIG_DIR_MODE = 0o700;
/** Characters of the offending line quoted in a JSON syntax error. */
export const EXCERPT_MAX_CHARS = 120;

const UTF8_BOM = '\uFEFF';

/**
 * Reads and checks the config file. No file means all defaults; a file that cannot be read, is not
 * JSON, or breaks the schema is an error that names the file, every bad field and how to fix it.
 */
export function loadConfig(file: string): LoadConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, config: defaultConfig(), source: 'defaults' };
    return { ok: false, reason: readFailure(file, e as NodeJS.ErrnoException) };
  }
  // Notepad and some editors start UTF-8 files with a byte order mark, which JSON.parse rejects.
  if (text.startsWith(UTF8_BOM)) text = text.slice(1);
  if (text.trim() === '') {
    return { ok: false, reason: `Config file ${file} is empty. Write {} in it (or the fields you want to change), or delete it to use the defaults.` };
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: syntaxFailure(file, text, e as Error) };
  }

  const checked = validateConfig(raw);
  if (!checked.ok) {
    return { ok: false, reason: `${listProblems(`Config file ${file}`, checked.problems)}\nEdit ${file} to fix them; a field left out takes its default.` };
  }
  return { ok: true, config: checked.config, source: 'file' };
}

/**
 * Checks a config and writes it to the file, replacing what was there: the fields given are written
 * as given (the others keep following the defaults). The write is atomic (a user-only temp file in the
 * same directory, flushed, then renamed over the file), so readers see the old file or the new one,
 * never a part. A missing directory is created user-only. A symlinked file is written through the link.
 */
export function saveConfig(file: string, partialConfig: ConfigInput): SaveConfigResult {
  const checked = validateConfig(partialConfig);
  if (!checked.ok) {
    return { ok: false, reason: `${listProblems('Config', checked.problems)}\nCorrect these values; nothing was written to ${file}.` };
  }
  const target = writeTarget(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: CONFIG_DIR_MODE });
    fd = openSync(tmp, 'wx', CONFIG_FILE_MODE);
    const bytes = Buffer.from(`${JSON.stringify(partialConfig, null, 2)}\n`, 'utf8');
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    const toClose = fd;
    fd = undefined;
    closeSync(toClose);
    renameSync(tmp, target);
  } catch (e) {
    closeQuietly(fd);
    try {
      rmSync(tmp, { force: true });
    } catch {
      // A temp file that cannot be removed is a hidden leftover (.config.json.*.tmp), never the config itself.
    }
    const err = e as NodeJS.ErrnoException;
    return { ok: false, reason: `Config could not be saved to ${file}: ${err.message}. ${accessHint(err.code, dir)} The file was left as it was.` };
  }
  syncDirectory(dir);
  return { ok: true, config: checked.config };
}

/** Where to write: the file itself, or the file a symlink points to (so the link survives). */
function writeTarget(file: string): string {
  try {
    if (lstatSync(file).isSymbolicLink()) return realpathSync(file);
  } catch {
    // No file yet, or a dangling link: write at the path itself.
  }
  return file;
}

/** Flushes the rename to disk where the platform allows it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for fsync; the rename is already visible, only durability is best effort.
  } finally {
    closeQuietly(fd);
  }
}

/** Closes a descriptor on a path that is already failing; a second error would hide the first. */
function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // The descriptor is released either way; the caller reports the original failure.
  }
}

function readFailure(file: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'EISDIR') return `Config file ${file} is a directory, not a file. Remove it or point POSHPOOL_CONFIG at a JSON file.`;
  return `Config file ${file} cannot be read: ${err.message}. ${accessHint(err.code, path.dirname(file))}`;
}

function accessHint(code: string | undefined, dir: string): string {
  if (code === 'EACCES' || code === 'EPERM') return `Check that your user may read and write ${dir}.`;
  if (code === 'ENOTDIR') return `A part of the path is a file, not a directory; choose another location (POSHPOOL_CONFIG).`;
  if (code === 'ENOSPC') return 'The disk is full; free some space.';
  return 'Check the path and its permissions.';
}

/** "line 3, column 5: trailing comma …" with the line quoted and a caret under the column. */
function syntaxFailure(file: string, text: string, parseError: Error): string {
  const found = findJsonSyntaxError(text);
  if (found === null) return `Config file ${file} is not valid JSON: ${parseError.message}. Fix the file, or delete it to use the defaults.`;
  const lineText = text.split('\n')[found.line - 1]?.replace(/\r$/, '') ?? '';
  // Quote a window of a long line around the column, so the caret stays under the culprit.
  const from = Math.max(0, Math.min(found.column - 1 - Math.floor(EXCERPT_MAX_CHARS / 2), lineText.length - EXCERPT_MAX_CHARS));
  const excerpt = lineText.slice(from, from + EXCERPT_MAX_CHARS).replace(/\t/g, ' ');
  const caret = `${' '.repeat(found.column - 1 - from)}^`;
  return (
    `Config file ${file} is not valid JSON: line ${found.line}, column ${found.column}: ${found.message}.\n` +
    `  ${excerpt}\n  ${caret}\n` +
    `(JSON.parse: ${parseError.message}.) Fix the file, or delete it to use the defaults.`
  );
}

function listProblems(subject: string, problems: ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${p.path === '' ? '(whole file)' : p.path}: ${p.message}`);
  return `${subject} has ${count}:\n${lines.join('\n')}`;
}

/**
 * Changes some fields of the config file and keeps the rest as the person wrote it (fields left
 * out keep following the defaults). A file that does not load is never overwritten: the reason
 * comes back and the file stays as it was.
 */
export function updateConfig(file: string, patch: (raw: Record<string, unknown>) => void): SaveConfigResult {
  const loaded = loadConfig(file);
  if (!loaded.ok) return loaded;
  let raw: Record<string, unknown> = {};
  if (loaded.source === 'file') {
    const text = readFileSync(file, 'utf8');
    raw = JSON.parse(text.startsWith(UTF8_BOM) ? text.slice(1) : text) as Record<string, unknown>;
  }
  patch(raw);
  return saveConfig(file, raw as ConfigInput);
}
