import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderPathspecs, normalizeFolderPath, toAbsolute, toFolderRel, toTopRel } from './folderPaths.js';

describe('folder paths', () => {
  it('selects the folder with literal top-relative pathspecs, excluding poshpool data inside it', () => {
    expect(folderPathspecs({ top: '/r', folderRel: '' })).toEqual([':/']);
    expect(folderPathspecs({ top: '/r', folderRel: 'a b/[x]*' })).toEqual([':(top,literal)a b/[x]*']);
    expect(folderPathspecs({ top: '/r', folderRel: 'app', excludedRel: 'app/.data' })).toEqual([':(top,literal)app', ':(top,exclude,literal)app/.data']);
    expect(folderPathspecs({ top: '/r', folderRel: 'app', excludedRel: 'app/.data' }, 'src/x.ts')).toEqual([':(top,literal)app/src/x.ts']);
  });

  it('maps between top-relative and folder-relative paths', () => {
    const p = { top: '/r', folderRel: 'app' };
    expect(toFolderRel(p, 'app/x')).toBe('x');
    expect(toFolderRel(p, 'app')).toBe('');
    expect(toFolderRel(p, 'application/x')).toBeUndefined();
    expect(toFolderRel(p, 'x')).toBeUndefined();
    expect(toFolderRel({ top: '/r', folderRel: '' }, 'x/y')).toBe('x/y');
    expect(toTopRel(p, 'x/y')).toBe('app/x/y');
    expect(toTopRel({ top: '/r', folderRel: '' }, 'x')).toBe('x');
    expect(toAbsolute({ top: path.resolve('/r'), folderRel: '' }, 'a/b')).toBe(path.join(path.resolve('/r'), 'a', 'b'));
  });

  it('takes folder-relative or absolute paths inside the folder and refuses the rest', () => {
    const folder = path.resolve('/work/project');
    expect(normalizeFolderPath(folder, 'src/a.ts')).toEqual({ ok: true, path: 'src/a.ts' });
    expect(normalizeFolderPath(folder, './src/../b.ts')).toEqual({ ok: true, path: 'b.ts' });
    expect(normalizeFolderPath(folder, path.join(folder, 'c', 'd.ts'))).toEqual({ ok: true, path: 'c/d.ts' });
    expect(normalizeFolderPath(folder, '..dotted')).toEqual({ ok: true, path: '..dotted' });
    expect(normalizeFolderPath(folder, '../other/x')).toMatchObject({ ok: false, reason: expect.stringMatching(/outside/) });
    expect(normalizeFolderPath(folder, path.resolve('/etc/passwd'))).toMatchObject({ ok: false });
    expect(normalizeFolderPath(folder, '.')).toMatchObject({ ok: false, reason: expect.stringMatching(/folder itself/) });
    expect(normalizeFolderPath(folder, ' ')).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
  });
});
