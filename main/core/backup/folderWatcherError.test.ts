import { describe, expect, it } from 'vitest';
import { describeFolderGone, describeStartError, describeWatchError, errorCode } from './folderWatcherError.js';

// The messages a person or an agent reads when watching goes wrong. Permission errors cannot be made
// for real in tests that run as root, so their wording is checked here on errors shaped like Node's.

const fsError = (code: string, p?: string): Error => Object.assign(new Error(`${code}: failed`), { code, path: p });

describe('folder watcher errors', () => {
  it('names a permission problem and where it is, and says the rest is still watched', () => {
    expect(describeWatchError('/w', fsError('EACCES', '/w/private'))).toBe(
      'Permission denied on /w/private: changes there are not seen (the rest of /w is still watched).',
    );
    expect(describeWatchError('/w', fsError('EPERM'))).toBe('Permission denied on /w: changes there are not seen (the rest of /w is still watched).');
  });

  it('explains the watch limit and what to do about it', () => {
    expect(describeWatchError('/w', fsError('ENOSPC', '/w/x'))).toContain('fs.inotify.max_user_watches');
    expect(describeWatchError('/w', fsError('EMFILE'))).toBe('Too many open files while watching /w: some changes are not seen.');
  });

  it('passes other errors on with their message', () => {
    expect(describeWatchError('/w', new Error('boom'))).toBe('Watching /w failed at /w: boom');
    expect(describeWatchError('/w', 'odd')).toBe('Watching /w failed at /w: odd');
  });

  it('says why a folder cannot be watched at all', () => {
    expect(describeStartError('/w', fsError('ENOENT'))).toBe('Cannot watch /w: the folder does not exist.');
    expect(describeStartError('/w', { code: 'ENOTDIR' })).toBe('Cannot watch /w: it is not a folder.');
    expect(describeStartError('/w', fsError('EACCES'))).toBe('Cannot watch /w: permission denied.');
    expect(describeStartError('/w', new Error('strange'))).toBe('Cannot watch /w: strange');
    expect(describeFolderGone('/w')).toBe('The folder /w was deleted or moved away: stopped watching it.');
  });

  it('reads error codes only when they are strings', () => {
    expect(errorCode(fsError('EACCES'))).toBe('EACCES');
    expect(errorCode({ code: 13 })).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
    expect(errorCode(undefined)).toBeUndefined();
  });
});
