// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY } from './theme.js';
import { ThemeSwitch } from './ThemeSwitch.js';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('ThemeSwitch', () => {
  it('starts from the kept choice and applies and keeps a new one', () => {
    window.localStorage.setItem(THEME_STORAGE_KEY, 'light');
    render(<ThemeSwitch />);
    const select = screen.getByLabelText<HTMLSelectElement>('Theme');
    expect(select.value).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');
    fireEvent.change(select, { target: { value: 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    fireEvent.change(select, { target: { value: 'system' } });
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
  });

  it('follows the system when nothing was chosen', () => {
    render(<ThemeSwitch />);
    expect(screen.getByLabelText<HTMLSelectElement>('Theme').value).toBe('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});
