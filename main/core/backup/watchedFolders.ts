import type { Platform } from '../platform/Platform.js';

/**
 * The watched folders, found by any name that means the same folder on this platform: on Windows
 * `c:\src\app`, `C:\src\App\` and `C:/src/App` are one folder (NTFS names ignore case), on Linux
 * `/src/app` and `/src/App` are two. Lookups and de-duplication go through Platform.pathKey; each
 * entry keeps the spelling it was first added with, for display and for the file system.
 */
export class WatchedFolders<T> {
  private readonly entries = new Map<string, { folder: string; value: T }>();

  constructor(private readonly platform: Pick<Platform, 'path' | 'pathKey'>) {}

  /** The absolute form of a folder name (resolved with the platform's path rules, spelling kept). */
  resolve(name: string): string {
    return this.platform.path.resolve(name);
  }

  /** The comparison key of a folder name: what two names of one folder share. */
  key(name: string): string {
    return this.platform.pathKey(this.resolve(name));
  }

  /** Whether a folder of this name is watched already. */
  has(name: string): boolean {
    return this.entries.has(this.key(name));
  }

  /** The entry of the folder this name means, if watched. */
  get(name: string): T | undefined {
    return this.entries.get(this.key(name))?.value;
  }

  /** The watched folder's own spelling for a name that means it, if watched. */
  folderOf(name: string): string | undefined {
    return this.entries.get(this.key(name))?.folder;
  }

  /** Adds a folder; false (and nothing changes) when a name of the same folder was added before. */
  add(name: string, value: T): boolean {
    const key = this.key(name);
    if (this.entries.has(key)) return false;
    this.entries.set(key, { folder: this.resolve(name), value });
    return true;
  }

  /** The watched folders, in the spelling each was added with, in the order added. */
  folders(): string[] {
    return [...this.entries.values()].map((e) => e.folder);
  }

  /** The entries, in the order added. */
  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  clear(): void {
    this.entries.clear();
  }

  /** What to tell a caller who named a folder that is not watched. */
  unknownReason(name: string): string {
    const watched = this.folders();
    return `"${name}" is not a watched folder. ${watched.length ? `Watched: ${watched.join(', ')}.` : 'No folder is watched: add it to "watchFolders" in the config.'}`;
  }
}
