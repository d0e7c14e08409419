// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { applyThemePreference, readThemePreference, storeThemePreference, THEME_STORAGE_KEY } from './theme.js';

/** A Storage that keeps values in a Map, or throws like a browser with storage blocked. */
function memoryStorage(blocked = false): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  const guard = (): void => {
    if (blocked) throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  return {
    map,
    getItem: (k) => (guard(), map.get(k) ?? null),
    setItem: (k, v) => (guard(), void map.set(k, v)),
    removeItem: (k) => (guard(), void map.delete(k)),
  };
}

describe('theme preference', () => {
  it('keeps light or dark and forgets the choice for "system"', () => {
    const storage = memoryStorage();
    expect(readThemePreference(storage)).toBe('system');
    expect(storeThemePreference(storage, 'dark')).toBe(true);
    expect(storage.map.get(THEME_STORAGE_KEY)).toBe('dark');
    expect(readThemePreference(storage)).toBe('dark');
    storeThemePreference(storage, 'system');
    expect(storage.map.has(THEME_STORAGE_KEY)).toBe(false);
    expect(readThemePreference(storage)).toBe('system');
  });

  it('reads an unknown value, blocked storage or none as "system", and says when it could not keep the choice', () => {
    const storage = memoryStorage();
    storage.setItem(THEME_STORAGE_KEY, 'sepia');
    expect(readThemePreference(storage)).toBe('system');
    expect(readThemePreference(memoryStorage(true))).toBe('system');
    expect(readThemePreference(undefined)).toBe('system');
    expect(storeThemePreference(memoryStorage(true), 'light')).toBe(false);
    expect(storeThemePreference(undefined, 'light')).toBe(false);
  });

  it('sets data-theme on the root for light and dark and removes it for "system"', () => {
    const root = document.createElement('html');
    applyThemePreference(root, 'dark');
    expect(root.getAttribute('data-theme')).toBe('dark');
    applyThemePreference(root, 'light');
    expect(root.getAttribute('data-theme')).toBe('light');
    applyThemePreference(root, 'system');
    expect(root.hasAttribute('data-theme')).toBe(false);
  });
});
