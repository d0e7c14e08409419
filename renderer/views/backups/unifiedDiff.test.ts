import { describe, expect, it } from 'vitest';
import { displayPath, parseUnifiedDiff, unquoteGitPath } from './unifiedDiff.js';

// Real `git diff-tree -p` output shapes (modified, added, deleted, renamed, binary, mode, quoted names).

const MODIFIED = [
  'diff --git a/src/app.ts b/src/app.ts',
  'index 3b18e51..a1c2d3e 100644',
  '--- a/src/app.ts',
  '+++ b/src/app.ts',
  '@@ -1,3 +1,4 @@ export function main() {',
  ' const a = 1;',
  '-const b = 2;',
  '+const b = 3;',
  '+const c = 4;',
  ' const d = 5;',
  '@@ -10,2 +11,2 @@',
  ' keep',
  '-old <b>tag</b>',
  '+new <b>tag</b>',
  '\\ No newline at end of file',
  '',
].join('\n');

describe('parseUnifiedDiff', () => {
  it('numbers each line on its side and counts additions and deletions', () => {
    const [file, ...rest] = parseUnifiedDiff(MODIFIED);
    expect(rest).toEqual([]);
    expect(file).toMatchObject({ oldPath: 'src/app.ts', newPath: 'src/app.ts', status: 'modified', binary: false, additions: 3, deletions: 2 });
    expect(file!.hunks.map((h) => h.header)).toEqual(['@@ -1,3 +1,4 @@ export function main() {', '@@ -10,2 +11,2 @@']);
    expect(file!.hunks[0]!.lines).toEqual([
      { kind: 'context', oldNo: 1, newNo: 1, text: 'const a = 1;' },
      { kind: 'del', oldNo: 2, newNo: null, text: 'const b = 2;' },
      { kind: 'add', oldNo: null, newNo: 2, text: 'const b = 3;' },
      { kind: 'add', oldNo: null, newNo: 3, text: 'const c = 4;' },
      { kind: 'context', oldNo: 3, newNo: 4, text: 'const d = 5;' },
    ]);
    expect(file!.hunks[1]!.lines).toEqual([
      { kind: 'context', oldNo: 10, newNo: 11, text: 'keep' },
      { kind: 'del', oldNo: 11, newNo: null, text: 'old <b>tag</b>' },
      { kind: 'add', oldNo: null, newNo: 12, text: 'new <b>tag</b>' },
      { kind: 'note', oldNo: null, newNo: null, text: 'No newline at end of file' },
    ]);
  });

  it('reads added, deleted, renamed, binary and mode-only files', () => {
    const text = [
      'diff --git a/new.txt b/new.txt',
      'new file mode 100644',
      'index 0000000..3e75765',
      '--- /dev/null',
      '+++ b/new.txt',
      '@@ -0,0 +1 @@',
      '+new',
      'diff --git a/gone.txt b/gone.txt',
      'deleted file mode 100644',
      'index ce01362..0000000',
      '--- a/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-hello',
      'diff --git a/old name.txt b/new name.txt',
      'similarity index 100%',
      'rename from old name.txt',
      'rename to new name.txt',
      'diff --git a/logo.png b/logo.png',
      'index 1111111..2222222 100644',
      'Binary files a/logo.png and b/logo.png differ',
      'diff --git a/run.sh b/run.sh',
      'old mode 100644',
      'new mode 100755',
      '',
    ].join('\n');
    const files = parseUnifiedDiff(text);
    expect(files.map((f) => [f.status, f.oldPath, f.newPath, f.binary])).toEqual([
      ['added', null, 'new.txt', false],
      ['deleted', 'gone.txt', null, false],
      ['renamed', 'old name.txt', 'new name.txt', false],
      ['modified', 'logo.png', 'logo.png', true],
      ['modified', 'run.sh', 'run.sh', false],
    ]);
    expect(files.map(displayPath)).toEqual(['new.txt', 'gone.txt', 'old name.txt → new name.txt', 'logo.png', 'run.sh']);
    expect(files[0]!.hunks[0]!.lines).toEqual([{ kind: 'add', oldNo: null, newNo: 1, text: 'new' }]);
    expect(files[1]!.hunks[0]!.lines).toEqual([{ kind: 'del', oldNo: 1, newNo: null, text: 'hello' }]);
    expect(files[4]!.notes).toEqual(['old mode 100644', 'new mode 100755']);
  });

  it('keeps content lines that look like headers inside a hunk', () => {
    const text = ['diff --git a/x.md b/x.md', '--- a/x.md', '+++ b/x.md', '@@ -1,2 +1,2 @@', '--- a/not-a-header', '+++ b/also-not', ''].join('\n');
    const [file] = parseUnifiedDiff(text);
    expect(file!.oldPath).toBe('x.md');
    expect(file!.hunks[0]!.lines.map((l) => [l.kind, l.text])).toEqual([
      ['del', '-- a/not-a-header'],
      ['add', '++ b/also-not'],
    ]);
  });

  it('unquotes names git C-quoted (non-ASCII bytes, quotes, tabs)', () => {
    expect(unquoteGitPath('"a/\\303\\251t\\303\\251.txt"')).toBe('a/été.txt');
    expect(unquoteGitPath('"a/say \\"hi\\"\\t.txt"')).toBe('a/say "hi"\t.txt');
    expect(unquoteGitPath('plain.txt')).toBe('plain.txt');
    const [file] = parseUnifiedDiff(['diff --git "a/\\303\\251.txt" "b/\\303\\251.txt"', '--- "a/\\303\\251.txt"', '+++ "b/\\303\\251.txt"', '@@ -1 +1 @@', '-a', '+b', ''].join('\n'));
    expect(file).toMatchObject({ oldPath: 'é.txt', newPath: 'é.txt' });
  });

  it('is empty for an empty diff', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
  });
});
