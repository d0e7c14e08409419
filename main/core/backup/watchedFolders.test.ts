import { describe, expect, it } from 'vitest';
import { platformFor } from '../platform/Platform.js';
import { WatchedFolders } from './watchedFolders.js';

// Which names mean one watched folder: decided by the platform's path key (Windows names ignore case).

describe('watched folders', () => {
  it('on Windows, c:\\src\\app, C:\\src\\App\\ and C:/src/App are one folder, shown as first configured', () => {
    const folders = new WatchedFolders<number>(platformFor('win32'));
    expect(folders.add('C:\\src\\App', 1)).toBe(true);
    expect(folders.add('c:\\SRC\\app\\', 2)).toBe(false);
    expect(folders.add('C:/src/App/', 3)).toBe(false);
    expect(folders.add('C:\\src\\App\\..\\App', 4)).toBe(false);
    for (const name of ['c:\\src\\app', 'C:\\src\\App\\', 'C:/SRC/APP', 'c:\\src\\.\\app']) {
      expect(folders.get(name), name).toBe(1);
      expect(folders.folderOf(name), name).toBe('C:\\src\\App');
    }
    expect(folders.get('C:\\src\\App2')).toBeUndefined();
    expect(folders.get('D:\\src\\App')).toBeUndefined();
    expect(folders.folders()).toEqual(['C:\\src\\App']);
    expect(folders.unknownReason('C:\\src\\App2')).toBe('"C:\\src\\App2" is not a watched folder. Watched: C:\\src\\App.');
  });

  it('on Linux, case matters: /src/App and /src/app are two folders; a trailing slash or dot segment is the same one', () => {
    const folders = new WatchedFolders<string>(platformFor('linux'));
    expect(folders.add('/src/App', 'upper')).toBe(true);
    expect(folders.add('/src/app', 'lower')).toBe(true);
    expect(folders.add('/src/App/', 'again')).toBe(false);
    expect(folders.get('/src/./App')).toBe('upper');
    expect(folders.get('/src/app/')).toBe('lower');
    expect(folders.get('/SRC/APP')).toBeUndefined();
    expect(folders.values()).toEqual(['upper', 'lower']);
  });

  it('says so when nothing is watched', () => {
    expect(new WatchedFolders(platformFor('linux')).unknownReason('/x')).toBe('"/x" is not a watched folder. No folder is watched: add it to "watchFolders" in the config.');
  });
});
