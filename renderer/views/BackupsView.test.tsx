// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupsView } from './BackupsView.js';
import { makeFakeBridge, makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';

afterEach(cleanup);

async function renderLoaded(bridge = makeFakeBridge()) {
  const result = renderDashboard(<BackupsView />, { bridge });
  await act(async () => undefined);
  return result;
}

describe('BackupsView', () => {
  it('fetches each folder\'s history into the store and shows a timeline', async () => {
    const { bridge, store } = await renderLoaded();
    expect(bridge.backups).toHaveBeenCalledExactlyOnceWith('/home/me/site', 50);
    expect(store.getState().backups.history['/home/me/site']?.backups).toHaveLength(2);
    const section = screen.getByRole('region', { name: 'Backups of /home/me/site' });
    const timeline = section.querySelector('ol.timeline');
    expect(timeline).not.toBeNull();
    const items = [...(timeline?.children ?? [])];
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('2 files changed');
    expect(items[1]?.textContent).toContain('1 file changed');
  });

  it('fetches again after a new backup of the folder', async () => {
    const { bridge, store } = await renderLoaded();
    await act(async () =>
      store.getState().applyEvents([{ type: 'backup.completed', time: T0 + 5, folder: '/home/me/site', backupId: 'b-3', filesChanged: 1, reason: 'quiet' }]),
    );
    expect(bridge.backups).toHaveBeenCalledTimes(2);
  });

  it('shows a diff against the previous backup', async () => {
    const { bridge } = await renderLoaded();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff b-2 with previous backup' })));
    expect(bridge.backupDiff).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', 'parent');
    const diff = screen.getByRole('region', { name: 'Diff of b-2 against parent' });
    expect(within(diff).getByText('+<p>new</p>').className).toBe('add');
    expect(within(diff).getByText('-<p>old</p>').className).toBe('del');
  });

  it('diffs against now too', async () => {
    const { bridge } = await renderLoaded();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff b-1 with now' })));
    expect(bridge.backupDiff).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-1', 'now');
  });

  it('restores only after confirmation, then shows the undo id', async () => {
    const { bridge } = await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Restore b-2' }));
    expect(bridge.restoreBackup).not.toHaveBeenCalled();
    expect(screen.getByText(/^Restore \/home\/me\/site to the backup of/)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, restore' })));
    expect(bridge.restoreBackup).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2');
    expect(screen.getByRole('status').textContent).toBe('Restored 1 files, removed 1. Undo id: undo-77');
  });

  it('shows why a restore failed', async () => {
    const bridge = makeFakeBridge();
    bridge.restoreBackup.mockResolvedValueOnce({ ok: false, reason: 'The folder has uncommitted changes of its own git.' });
    await renderLoaded(bridge);
    fireEvent.click(screen.getByRole('button', { name: 'Restore b-1' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, restore' })));
    expect(screen.getByRole('alert').textContent).toBe('The folder has uncommitted changes of its own git.');
  });

  it('shows why the history cannot be read', async () => {
    const bridge = makeFakeBridge();
    bridge.backups.mockResolvedValueOnce({ ok: false, reason: 'git is not installed.' });
    await renderLoaded(bridge);
    expect(screen.getByRole('alert').textContent).toBe('git is not installed.');
  });

  it('says so when no folder is watched', () => {
    const snapshot = makeSnapshot();
    snapshot.folders = [];
    renderDashboard(<BackupsView />, { store: makeStore('connected', snapshot) });
    expect(screen.getByText('No watched folders')).toBeTruthy();
  });
});
