// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App.js';
import { makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';

afterEach(cleanup);

describe('App', () => {
  it('shows only the sign-in screen when signed out, and no data', () => {
    const { container } = renderDashboard(<App />, { store: makeStore('signedOut') });
    expect(container.textContent).toContain('Run poshpool open to sign in.');
    expect(screen.getByText('poshpool open').tagName).toBe('CODE');
    expect(container.textContent).not.toContain('s-1');
    expect(container.textContent).not.toContain('claude-code');
    expect(screen.queryByRole('tablist')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows a disconnected banner over the last data', () => {
    const store = makeStore('disconnected');
    store.getState().setConnection('disconnected', 'stream closed');
    renderDashboard(<App />, { store });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Disconnected from poshpool');
    expect(alert.textContent).toContain('stream closed');
    expect(screen.getByRole('row', { name: /s-1/ })).toBeTruthy();
  });

  it('shows no banner when connected, and the header metrics', () => {
    renderDashboard(<App />);
    expect(screen.queryByText(/Disconnected/)).toBeNull();
    const metric = (term: string): string | null | undefined =>
      [...document.querySelectorAll('dt')].find((dt) => dt.textContent === term)?.nextElementSibling?.textContent;
    expect(metric('Sessions in use')).toBe('2 of 4');
    expect(metric('Free slots')).toBe('2');
    expect(metric('Queue')).toBe('2 requests waiting (1 sync · 1 async)');
    expect(metric('Average wait')).toBe('1s sync · 12s async');
    expect(metric('Commands run')).toBe('42 (3 failed)');
    expect(screen.getByRole('status').textContent).toBe('Pool: healthy');
    expect(screen.getByRole('img', { name: /Queue depth over the last 60 minutes: now 2, peak 2; longest wait/ })).toBeTruthy();
  });

  it('shows the degraded reason when the pool degrades', () => {
    const { store } = renderDashboard(<App />);
    act(() => store.getState().applyEvents([{ type: 'pool.degraded', time: T0 + 1, reason: 'pwsh exits at start', failures: 3 }]));
    expect(screen.getByRole('status').textContent).toBe('Pool: degraded — pwsh exits at start');
  });

  it('pauses and resumes new sessions, and says when they are paused', async () => {
    const { store, bridge } = renderDashboard(<App />);
    fireEvent.click(screen.getByRole('button', { name: 'Pause new sessions' }));
    expect(bridge.setPaused).toHaveBeenCalledWith(true);
    act(() => store.getState().applyEvents([{ type: 'pool.paused', time: T0 + 1, by: 'tray' }]));
    expect(screen.getByRole('status').textContent).toBe('Pool: healthy · new sessions paused (requests wait in the queue)');
    fireEvent.click(await screen.findByRole('button', { name: 'Resume new sessions' }));
    expect(bridge.setPaused).toHaveBeenLastCalledWith(false);
    act(() => store.getState().applyEvents([{ type: 'pool.resumed', time: T0 + 2, by: 'tray', pausedMs: 1 }]));
    expect(screen.getByRole('status').textContent).toBe('Pool: healthy');
  });

  it('shows "Loading…" before the first snapshot', () => {
    renderDashboard(<App />, { store: makeStore('connecting', null) });
    expect(screen.getByRole('status').textContent).toBe('Loading…');
    expect(screen.getByText('No sessions')).toBeTruthy();
  });

  it('switches views with the tabs, by click and arrow keys', () => {
    renderDashboard(<App />);
    expect(screen.getByRole('tab', { name: 'Sessions' }).getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByRole('tab', { name: 'Queue' }));
    expect(screen.getByRole('tab', { name: 'Queue' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').textContent).toContain('2 requests waiting');
    fireEvent.keyDown(screen.getByRole('tab', { name: 'Queue' }), { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Jobs' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Jobs' }));
    expect(screen.getByRole('tabpanel').textContent).toContain('npm run build');
  });

  it('follows the tabs pattern: arrows wrap, Home and End jump, only the selected tab is in the Tab order and names its panel', () => {
    renderDashboard(<App />);
    const tab = (name: string): HTMLElement => screen.getByRole('tab', { name });
    fireEvent.keyDown(tab('Sessions'), { key: 'ArrowLeft' });
    expect(tab('Events').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab('Events'));
    fireEvent.keyDown(tab('Events'), { key: 'ArrowRight' });
    expect(tab('Sessions').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tab('Sessions'), { key: 'End' });
    expect(tab('Events').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tab('Events'), { key: 'Home' });
    expect(document.activeElement).toBe(tab('Sessions'));
    expect(screen.getAllByRole('tab').map((t) => t.tabIndex)).toEqual([0, -1, -1, -1, -1]);
    expect(screen.getAllByRole('tab').map((t) => t.getAttribute('aria-controls'))).toEqual(['panel-sessions', null, null, null, null]);
    expect(screen.getByRole('tabpanel', { name: 'Sessions' }).id).toBe('panel-sessions');
    expect(screen.getByRole('tabpanel').tabIndex).toBe(0);
  });

  it('keeps showing data a later snapshot brings', () => {
    const { store } = renderDashboard(<App />);
    const next = makeSnapshot();
    next.sessions = [];
    act(() => store.getState().applySnapshot(next));
    expect(screen.getByText('No sessions')).toBeTruthy();
  });
});
