/**
 * The colour theme: by default the OS's (prefers-color-scheme, in styles.css); a person can choose
 * light or dark in the header, kept in localStorage. The choice is a data-theme attribute on <html>
 * that styles.css reads, so every view's CSS variables follow it.
 */

/** What a person chose: follow the OS, or always light or dark. */
export type ThemePreference = 'system' | 'light' | 'dark';

/** The localStorage key of the choice. */
export const THEME_STORAGE_KEY = 'poshpool.theme';

const PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];

function isPreference(value: unknown): value is ThemePreference {
  return typeof value === 'string' && (PREFERENCES as readonly string[]).includes(value);
}

/** The stored choice, or 'system' when none, unreadable (storage disabled) or unknown. */
export function readThemePreference(storage: Pick<Storage, 'getItem'> | undefined): ThemePreference {
  try {
    const value = storage?.getItem(THEME_STORAGE_KEY);
    return isPreference(value) ? value : 'system';
  } catch {
    return 'system';
  }
}

/** Keeps the choice; false when storage refused it (the choice still holds for this page). */
export function storeThemePreference(storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined, preference: ThemePreference): boolean {
  try {
    if (storage === undefined) return false;
    if (preference === 'system') storage.removeItem(THEME_STORAGE_KEY);
    else storage.setItem(THEME_STORAGE_KEY, preference);
    return true;
  } catch {
    return false;
  }
}

/** Sets the document's theme attribute: none for 'system' (the OS decides). */
export function applyThemePreference(root: HTMLElement, preference: ThemePreference): void {
  if (preference === 'system') delete root.dataset.theme;
  else root.dataset.theme = preference;
}

/** The page's localStorage, or undefined where reading it throws (e.g. storage blocked). */
export function pageStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
