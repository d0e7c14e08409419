/** The header's theme choice: follow the OS, light or dark; kept across visits. */

import { useEffect, useState } from 'react';
import { applyThemePreference, pageStorage, readThemePreference, storeThemePreference, type ThemePreference } from './theme.js';

export function ThemeSwitch() {
  const [preference, setPreference] = useState<ThemePreference>(() => readThemePreference(pageStorage()));

  useEffect(() => {
    applyThemePreference(document.documentElement, preference);
  }, [preference]);

  const choose = (value: ThemePreference): void => {
    storeThemePreference(pageStorage(), value);
    setPreference(value);
  };

  return (
    <label className="theme-switch">
      Theme{' '}
      <select value={preference} onChange={(e) => choose(e.target.value as ThemePreference)}>
        <option value="system">Like the system</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
