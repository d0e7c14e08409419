import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// .gitattributes against what git does with it: icons and images stay binary, and a checkout made
// the way Git for Windows does by default (core.autocrlf=true) still has LF in every text file.

const root = path.resolve(import.meta.dirname, '..');
const BINARY_PATTERN = /\.(png|ico|icns)$/i;
/** Batch files are the one kind checked out with CRLF (cmd.exe mis-reads LF ones). */
const CRLF_PATTERN = /\.(cmd|bat)$/i;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function git(args: string[], extraConfig: string[] = []): string {
  const config = extraConfig.flatMap((c) => ['-c', c]);
  return execFileSync('git', [...config, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** NUL-separated output as a list (git's -z forms). */
function fields(text: string): string[] {
  return text.split('\0').slice(0, -1);
}

/** Tracked files with their index blob ids (`git ls-files -s -z`). */
function trackedFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fields(git(['ls-files', '-s', '-z']))) {
    const m = /^\d+ ([0-9a-f]+) \d+\t(.*)$/s.exec(entry);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** The attributes git gives each path: path -> attribute -> value (set, unset, unspecified, or a value). */
function attributes(paths: string[], names: string[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  if (paths.length === 0) return out;
  const f = fields(execFileSync('git', ['check-attr', '-z', '--stdin', ...names], { cwd: root, input: paths.join('\0') + '\0', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  for (let i = 0; i + 2 < f.length; i += 3) {
    const record = out.get(f[i]!) ?? {};
    record[f[i + 1]!] = f[i + 2]!;
    out.set(f[i]!, record);
  }
  return out;
}

/** git's object id of a file's bytes as a blob (sha1, or sha256 in a sha256 repository). */
function blobId(bytes: Buffer, length: number): string {
  const algorithm = length === 64 ? 'sha256' : 'sha1';
  return createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

describe('.gitattributes', () => {
  const tracked = trackedFiles();
  const paths = [...tracked.keys()];
  let checkout: string;

  beforeAll(() => {
    // A checkout of the index with Git for Windows' defaults, into a temp dir (the index and the
    // working tree are left alone).
    checkout = mkdtempSync(path.join(tmpdir(), 'poshpool-attrs-'));
    git(['checkout-index', '-a', '-f', `--prefix=${checkout}${path.sep}`], ['core.autocrlf=true', 'core.eol=crlf', 'core.symlinks=false']);
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it('marks every tracked image and icon binary (no conversion, no text diff)', () => {
    const binaries = paths.filter((p) => BINARY_PATTERN.test(p));
    expect(binaries.length).toBeGreaterThan(0);
    for (const [file, attrs] of attributes(binaries, ['binary', 'text', 'diff'])) {
      expect(attrs, file).toEqual({ binary: 'set', text: 'unset', diff: 'unset' });
    }
  });

  it('covers every file git sees as binary with a binary pattern (a new kind of binary needs a line)', () => {
    const seenBinary = fields(git(['ls-files', '--eol', '-z']))
      .map((entry) => /^i\/(\S*)\s+w\/\S*\s+attr\/.*?\t(.*)$/s.exec(entry))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === '-text')
      .map((m) => m[2]!);
    expect(seenBinary.filter((p) => !BINARY_PATTERN.test(p))).toEqual([]);
  });

  it('stores no text file with CRLF in the repository', () => {
    const crlf = fields(git(['ls-files', '--eol', '-z']))
      .map((entry) => /^i\/(\S*)\s+w\/\S*\s+attr\/.*?\t(.*)$/s.exec(entry))
      .filter((m): m is RegExpExecArray => m !== null && (m[1] === 'crlf' || m[1] === 'mixed'))
      .map((m) => m[2]!);
    expect(crlf).toEqual([]);
  });

  it('checks every text file out with LF even where core.autocrlf=true, and binaries byte for byte', () => {
    const withCr: string[] = [];
    const changedBinaries: string[] = [];
    for (const [file, id] of tracked) {
      const bytes = readFileSync(path.join(checkout, ...file.split('/')));
      if (BINARY_PATTERN.test(file)) {
        if (blobId(bytes, id.length) !== id) changedBinaries.push(file);
      } else if (!CRLF_PATTERN.test(file) && bytes.includes('\r\n')) {
        withCr.push(file);
      }
    }
    expect(withCr).toEqual([]);
    expect(changedBinaries).toEqual([]);
  });

  it('keeps PowerShell scripts ASCII or UTF-8 with a BOM, which Windows PowerShell 5.1 reads right', () => {
    // Without a BOM, 5.1 reads a script in the ANSI code page, so any non-ASCII byte is mis-read
    // (learn.microsoft.com, PowerShell "Understanding file encoding": "If you need to use non-ASCII
    // characters in your scripts, save them as UTF-8 with BOM").
    const scripts = paths.filter((p) => /\.ps[dm]?1$/i.test(p));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      const bytes = readFileSync(path.join(root, ...file.split('/')));
      const hasBom = bytes.subarray(0, 3).equals(UTF8_BOM);
      expect(hasBom || bytes.every((b) => b < 0x80), `${file} has non-ASCII bytes and no UTF-8 BOM`).toBe(true);
    }
  });
});
