import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { validateConfig, type ConfigProblem } from './issues.js';
import { editJsonc, parseJsonc } from './jsonc.js';
import { configSchema, defaultConfig, type PoshpoolConfig } from './schema.js';

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

const UTF8_BOM = '\uFEFF';

/**
 * Reads and checks the config file: JSON with comments and trailing commas allowed (JSONC, as VS Code's
 * settings.json). No file means all defaults; a file that cannot be read, is not JSONC, or breaks the
 * schema is an error that names the file, the line and column or every bad field, and how to fix it.
 */
export function loadConfig(file: string): LoadConfigResult {
  const read = readConfigText(file);
  if (!read.ok) return read;
  if (read.text === undefined) return { ok: true, config: defaultConfig(), source: 'defaults' };
  const checked = checkText(file, read.text);
  if (!checked.ok) return checked;
  return { ok: true, config: checked.config, source: 'file' };
}

/** The file's text; undefined when there is no file. */
function readConfigText(file: string): { ok: true; text: string | undefined } | { ok: false; reason: string } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { ok: true, text: undefined };
    return { ok: false, reason: readFailure(file, err) };
  }
}

/** Parses and validates a config file's text (a UTF-8 byte order mark, as Notepad writes, is ignored). */
function checkText(file: string, text: string): { ok: true; config: PoshpoolConfig; raw: unknown } | { ok: false; reason: string } {
  const body = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  if (body.trim() === '') {
    return { ok: false, reason: `Config file ${file} is empty. Write {} in it (or the fields you want to change), or delete it to use the defaults.` };
  }
  const parsed = parseJsonc(body, `Config file ${file}`);
  if (!parsed.ok) return { ok: false, reason: `${parsed.reason}\nFix the file, or delete it to use the defaults.` };
  const checked = validateConfig(parsed.value);
  if (!checked.ok) {
    return { ok: false, reason: `${listProblems(`Config file ${file}`, checked.problems)}\nEdit ${file} to fix them; a field left out takes its default.` };
  }
  return { ok: true, config: checked.config, raw: parsed.value };
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
  const written = writeAtomically(file, `${JSON.stringify(partialConfig, null, 2)}\n`);
  return written.ok ? { ok: true, config: checked.config } : written;
}

/**
 * Replaces the file with a text: a user-only temp file in the same directory, flushed, then renamed
 * over the file, so readers see the old file or the new one, never a part. A missing directory is
 * created user-only; a symlinked file is written through the link.
 */
function writeAtomically(file: string, text: string): { ok: true } | { ok: false; reason: string } {
  const target = writeTarget(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: CONFIG_DIR_MODE });
    fd = openSync(tmp, 'wx', CONFIG_FILE_MODE);
    const bytes = Buffer.from(text, 'utf8');
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
  return { ok: true };
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

function listProblems(subject: string, problems: ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${p.path === '' ? '(whole file)' : p.path}: ${p.message}`);
  return `${subject} has ${count}:\n${lines.join('\n')}`;
}

/**
 * Changes some fields of the config file and keeps the rest as the person wrote it: their comments,
 * layout and the fields they set (fields left out keep following the defaults). Each changed field is
 * edited in the text (jsonc-parser's modify), so only the changed values are rewritten. A file that does
 * not load is never overwritten: the reason comes back and the file stays as it was.
 */
export function updateConfig(file: string, patch: (raw: Record<string, unknown>) => void): SaveConfigResult {
  const read = readConfigText(file);
  if (!read.ok) return read;
  let text = read.text ?? '';
  let before: Record<string, unknown> = {};
  if (read.text !== undefined) {
    const checked = checkText(file, read.text);
    if (!checked.ok) return checked;
    before = checked.raw as Record<string, unknown>;
  }
  const after = structuredClone(before);
  patch(after);
  const valid = validateConfig(after);
  if (!valid.ok) return { ok: false, reason: `${listProblems('Config', valid.problems)}\nCorrect these values; nothing was written to ${file}.` };
  for (const [at, value] of changes(before, after, [])) text = editJsonc(text, at, value);
  if (text.trim() === '') text = '{}';
  if (!text.endsWith('\n')) text += '\n';
  // The edited text is checked as the next start will read it: what is written is what was validated.
  const checked = checkText(file, text);
  if (!checked.ok) return { ok: false, reason: `The edited config would not load, so nothing was written to ${file}: ${checked.reason}` };
  const written = writeAtomically(file, text);
  return written.ok ? { ok: true, config: checked.config } : written;
}

/**
 * The edits that turn one parsed config into another: a path and its new value (undefined = removed),
 * descending into objects present on both sides, so only what changed is rewritten.
 */
function changes(before: unknown, after: unknown, at: string[]): [string[], unknown][] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: [string[], unknown][] = [];
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) out.push([[...at, key], undefined]);
    for (const [key, value] of Object.entries(after)) {
      if (!Object.hasOwn(before, key)) out.push([[...at, key], value]);
      else out.push(...changes(before[key], value, [...at, key]));
    }
    return out;
  }
  return isDeepStrictEqual(before, after) ? [] : [[at, after]];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
