import { describe, expect, it } from 'vitest';
import { backupMessage, MESSAGE_MAX_FILES, parseRawDiff, readRawEntries, toFolderChanges, type RawChange } from './changes.js';

const Z = '0000000000000000000000000000000000000000';
const A = '1111111111111111111111111111111111111111';
const raw = (mode1: string, mode2: string, status: string, ...paths: string[]): string => `:${mode1} ${mode2} ${Z} ${A} ${status}\0${paths.join('\0')}\0`;

describe('parseRawDiff', () => {
  it('reads added, modified, deleted, type-changed and renamed entries, paths with spaces and newlines intact', () => {
    const out =
      raw('000000', '100644', 'A', 'new file.txt') +
      raw('100644', '100644', 'M', 'dir/a\nb.txt') +
      raw('100644', '000000', 'D', 'gone.txt') +
      raw('100644', '120000', 'T', 'link') +
      raw('100644', '100644', 'R087', 'old.txt', 'sub/new.txt');
    expect(parseRawDiff(out)).toEqual<RawChange[]>([
      { letter: 'A', path: 'new file.txt', oldMode: '000000', newMode: '100644' },
      { letter: 'M', path: 'dir/a\nb.txt', oldMode: '100644', newMode: '100644' },
      { letter: 'D', path: 'gone.txt', oldMode: '100644', newMode: '000000' },
      { letter: 'T', path: 'link', oldMode: '100644', newMode: '120000' },
      { letter: 'R', oldPath: 'old.txt', path: 'sub/new.txt', oldMode: '100644', newMode: '100644' },
    ]);
    expect(parseRawDiff('')).toEqual([]);
  });

  it('stops at the first token that is not a raw entry (git log puts numstat after it)', () => {
    const tokens = `\n${raw('100644', '100644', 'M', 'a')}1\t1\ta\0`.split('\0');
    const { entries, next } = readRawEntries(tokens);
    expect(entries).toHaveLength(1);
    expect(tokens[next]).toBe('1\t1\ta');
  });
});

describe('toFolderChanges', () => {
  const changes: RawChange[] = [
    { letter: 'M', path: 'app/x.txt', oldMode: '100644', newMode: '100644' },
    { letter: 'A', path: 'top.txt', oldMode: '000000', newMode: '100644' },
    { letter: 'A', path: 'application/y.txt', oldMode: '000000', newMode: '100644' },
    { letter: 'R', oldPath: 'app/old.txt', path: 'app/deep/new.txt', oldMode: '100644', newMode: '100644' },
    { letter: 'R', oldPath: 'elsewhere.txt', path: 'app/moved-in.txt', oldMode: '100644', newMode: '100644' },
    { letter: 'R', oldPath: 'app/moved-out.txt', path: 'elsewhere2.txt', oldMode: '100644', newMode: '100644' },
    { letter: 'T', path: 'app/link', oldMode: '100644', newMode: '120000' },
    { letter: 'D', path: 'app/d.txt', oldMode: '100644', newMode: '000000' },
  ];

  it('keeps the folder’s files with folder-relative paths; renames across its edge become additions or deletions', () => {
    expect(toFolderChanges({ top: '/r', folderRel: 'app' }, changes)).toEqual([
      { path: 'x.txt', status: 'modified' },
      { path: 'deep/new.txt', status: 'renamed', oldPath: 'old.txt' },
      { path: 'moved-in.txt', status: 'added' },
      { path: 'moved-out.txt', status: 'deleted' },
      { path: 'link', status: 'modified' },
      { path: 'd.txt', status: 'deleted' },
    ]);
  });

  it('keeps everything for a folder that is the top', () => {
    expect(toFolderChanges({ top: '/r', folderRel: '' }, changes)).toHaveLength(changes.length);
  });
});

describe('backupMessage', () => {
  const paths = { top: '/r', folderRel: '' };

  it('counts the files and lists them with git status letters', () => {
    expect(
      backupMessage(
        [
          { letter: 'M', path: 'a', oldMode: '100644', newMode: '100644' },
          { letter: 'R', oldPath: 'b', path: 'c', oldMode: '100644', newMode: '100644' },
        ],
        paths,
      ),
    ).toBe('Auto-backup: 2 files changed\n\nM a\nR b -> c\n');
    expect(backupMessage([{ letter: 'A', path: 'a', oldMode: '000000', newMode: '100644' }], paths)).toBe('Auto-backup: 1 file changed\n\nA a\n');
    expect(backupMessage([], paths)).toBe('Auto-backup: 0 files changed\n');
    expect(backupMessage([{ letter: 'A', path: 'odd\nname\x1f.txt', oldMode: '000000', newMode: '100644' }], paths)).toBe('Auto-backup: 1 file changed\n\nA odd?name?.txt\n');
  });

  it('lists at most MESSAGE_MAX_FILES files and counts the rest', () => {
    const many: RawChange[] = Array.from({ length: MESSAGE_MAX_FILES + 5 }, (_, i) => ({ letter: 'A', path: `f${i}`, oldMode: '000000', newMode: '100644' }));
    const lines = backupMessage(many, paths).trimEnd().split('\n');
    expect(lines[0]).toBe(`Auto-backup: ${MESSAGE_MAX_FILES + 5} files changed`);
    expect(lines).toHaveLength(2 + MESSAGE_MAX_FILES + 1);
    expect(lines.at(-1)).toBe('… and 5 more');
  });
});
