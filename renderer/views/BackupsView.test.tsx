// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupsView } from './BackupsView.js';
import { makeFakeBridge, makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';

afterEach(cleanup);

const GIT_DIFF = ['diff --git a/index.html b/index.html', 'index 1111111..2222222 100644', '--- a/index.html', '+++ b/index.html', '@@ -1 +1 @@', '-<p>old</p>', '+<p>new</p>', ''].join('\n');

const BACKUPS = [
  {
    id: 'b-2',
    time: T0 - 60_000,
    message: 'quiet',
    filesChanged: 2,
    files: [
      { path: 'index.html', status: 'modified', additions: 3, deletions: 1 },
      { path: 'app.js', status: 'added', additions: 10, deletions: 0 },
    ],
  },
  { id: 'b-1', time: T0 - 3_600_000, message: 'maxDelay', filesChanged: 1, files: [{ path: 'index.html', status: 'added', additions: 5, deletions: 0 }] },
];

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

  it('keeps the timeline, and a confirmation under way, on screen while a new backup is fetched', async () => {
    const { bridge, store } = await renderLoaded();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore this file: index.html from b-2' })));
    let answer: (v: Awaited<ReturnType<typeof bridge.backups>>) => void = () => undefined;
    bridge.backups.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    await act(async () =>
      store.getState().applyEvents([{ type: 'backup.completed', time: T0 + 5, folder: '/home/me/site', backupId: 'b-3', filesChanged: 1, reason: 'quiet' }]),
    );
    expect(bridge.backups).toHaveBeenCalledTimes(2);
    expect(screen.getByRole('dialog').textContent).toContain('index.html: The current file differs from the backup and will be overwritten.');
    await act(async () => answer({ ok: true, backups: [{ id: 'b-3', time: T0, message: 'quiet', filesChanged: 1, files: [] }, ...BACKUPS] }));
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(document.querySelectorAll('ol.timeline > li')).toHaveLength(3);
  });

  it('shows a backup\'s diff against the previous backup, rendered per file', async () => {
    const bridge = makeFakeBridge();
    bridge.backupDiff.mockResolvedValueOnce({ ok: true, diff: GIT_DIFF });
    await renderLoaded(bridge);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff with previous: backup b-2' })));
    expect(bridge.backupDiff).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', 'parent');
    const diff = screen.getByRole('region', { name: 'Diff of b-2 against parent' });
    expect(diff.textContent).toContain('Changes since the previous backup');
    const table = within(diff).getByRole('table', { name: 'Changes in index.html' });
    expect(within(table).getByText('<p>new</p>').closest('tr')!.className).toBe('add');
    expect(within(table).getByText('<p>old</p>').closest('tr')!.className).toBe('del');
    // It opens inside the backup it belongs to, and closes.
    expect(diff.closest('li')!.textContent).toContain('quiet');
    fireEvent.click(within(diff).getByRole('button', { name: 'Close diff' }));
    expect(screen.queryByRole('region', { name: 'Diff of b-2 against parent' })).toBeNull();
  });

  it('diffs the whole backup or one file against now', async () => {
    const { bridge } = await renderLoaded();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff with now: backup b-1' })));
    expect(bridge.backupDiff).toHaveBeenLastCalledWith('/home/me/site', 'b-1', 'now');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff with now: index.html in b-2' })));
    expect(bridge.backupDiff).toHaveBeenLastCalledWith('/home/me/site', 'b-2', 'now', 'index.html');
    expect(screen.getByRole('region', { name: 'Diff of index.html in b-2 against now' }).textContent).toContain('Changes to index.html compared with the files now');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff with previous: app.js in b-2' })));
    expect(bridge.backupDiff).toHaveBeenLastCalledWith('/home/me/site', 'b-2', 'parent', 'app.js');
  });

  it('shows why a diff failed', async () => {
    const bridge = makeFakeBridge();
    bridge.backupDiff.mockResolvedValueOnce({ ok: false, reason: 'b-9 is not a backup of this folder (no such commit).' });
    await renderLoaded(bridge);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Diff with now: backup b-2' })));
    expect(screen.getByRole('alert').textContent).toBe('b-9 is not a backup of this folder (no such commit).');
  });

  it('restores one file only after a confirmation naming it, then shows what was restored and the safety backup', async () => {
    const { bridge } = await renderLoaded();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore this file: index.html from b-2' })));
    expect(bridge.restorePreview).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', 'index.html');
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('index.html: The current file differs from the backup and will be overwritten.');
    expect(bridge.restoreBackup).not.toHaveBeenCalled();
    bridge.restoreBackup.mockResolvedValueOnce({ ok: true, undoId: 'b-3', restored: ['index.html'], removed: [] });
    bridge.backups.mockResolvedValueOnce({ ok: true, backups: [{ id: 'b-3', time: T0, message: 'before restore', filesChanged: 1, files: [] }, ...BACKUPS] });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Restore index.html' })));
    expect(bridge.restoreBackup).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', 'index.html');
    expect(screen.queryByRole('dialog')).toBeNull();
    const result = screen.getByRole('status');
    expect(document.activeElement).toBe(result);
    expect(result.textContent).toContain('Restored index.html from backup b-2: 1 file written (index.html).');
    expect(result.textContent).toContain('The files as they were before are in the safety backup b-3: restore it to undo.');
    // The safety backup shows in the timeline, marked.
    expect(bridge.backups).toHaveBeenCalledTimes(2);
    const safety = screen.getByText(/safety backup made before your restore/).closest('li')!;
    expect(safety.textContent).toContain('before restore');
  });

  it('offers no single-file restore for a file the backup deleted', async () => {
    const bridge = makeFakeBridge();
    bridge.backups.mockResolvedValueOnce({ ok: true, backups: [{ id: 'b-5', time: T0, message: 'quiet', filesChanged: 1, files: [{ path: 'old.txt', status: 'deleted', additions: 0, deletions: 3 }] }] });
    await renderLoaded(bridge);
    expect(screen.getByRole('button', { name: 'Diff with previous: old.txt in b-5' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Restore this file: old.txt from b-5' })).toBeNull();
  });

  it('restores the whole folder after a confirmation listing what changes', async () => {
    const { bridge } = await renderLoaded();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore folder: backup b-2' })));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Overwritten (they differ now): 1 file');
    expect(dialog.textContent).toContain('Removed (not in the backup): 1 file');
    expect(bridge.restoreBackup).not.toHaveBeenCalled();
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Restore the folder' })));
    expect(bridge.restoreBackup).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', undefined);
    expect(screen.getByRole('status').textContent).toContain('Restored the folder from backup b-2: 1 file written (index.html), 1 removed (app.js).');
  });

  it('cancelling the confirmation restores nothing', async () => {
    const { bridge } = await renderLoaded();
    const opener = screen.getByRole('button', { name: 'Restore folder: backup b-1' });
    opener.focus();
    await act(async () => fireEvent.click(opener));
    expect(document.activeElement).toBe(screen.getByRole('dialog'));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // Focus goes back to the button that opened the confirmation.
    expect(document.activeElement).toBe(opener);
    expect(bridge.restoreBackup).not.toHaveBeenCalled();
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
