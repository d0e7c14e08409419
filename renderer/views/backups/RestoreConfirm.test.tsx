// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RestorePreviewFile } from '../../../common/dashboard.js';
import { makeFakeBridge, renderDashboard, T0 } from '../testSupport.js';
import { RestoreConfirm } from './RestoreConfirm.js';

afterEach(cleanup);

const BACKUP = { id: 'b-2', time: T0 - 60_000 };

async function open(files: RestorePreviewFile[] | { reason: string }, path?: string) {
  const bridge = makeFakeBridge();
  bridge.restorePreview.mockResolvedValue(Array.isArray(files) ? { ok: true, backupId: 'b-2-full', files } : { ok: false, reason: files.reason });
  const onCancel = vi.fn();
  const onRestored = vi.fn();
  renderDashboard(<RestoreConfirm folder="/home/me/site" backup={BACKUP} path={path} onCancel={onCancel} onRestored={onRestored} />, { bridge });
  await act(async () => undefined);
  return { bridge, onCancel, onRestored, dialog: screen.getByRole('dialog') };
}

describe('RestoreConfirm', () => {
  it('for one file that differs now: says it will be overwritten, and restores that file only on "Restore"', async () => {
    const { bridge, onRestored, dialog } = await open([{ path: 'index.html', change: 'overwrite' }], 'index.html');
    expect(bridge.restorePreview).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', 'index.html');
    expect(dialog.getAttribute('aria-labelledby')).toBe(dialog.querySelector('h4')!.id);
    expect(dialog.querySelector('h4')!.textContent).toMatch(/^Restore index\.html from the backup of /);
    expect(dialog.textContent).toContain('index.html: The current file differs from the backup and will be overwritten.');
    expect(dialog.textContent).toContain('The current files are backed up first, so this restore can be undone.');
    expect(bridge.restoreBackup).not.toHaveBeenCalled();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore index.html' })));
    expect(bridge.restoreBackup).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', 'index.html');
    expect(onRestored).toHaveBeenCalledExactlyOnceWith({ path: 'index.html', backupId: 'b-2', undoId: 'undo-77', restored: ['index.html'], removed: ['app.js'] });
  });

  it('for one file missing now: says it will be created', async () => {
    const { dialog } = await open([{ path: 'gone.txt', change: 'create' }], 'gone.txt');
    expect(dialog.textContent).toContain('gone.txt: The file is missing now and will be created.');
  });

  it('for one file that already matches: says restoring changes nothing and offers no restore', async () => {
    const { dialog } = await open([{ path: 'same.txt', change: 'unchanged' }], 'same.txt');
    expect(dialog.textContent).toContain('The current file already matches the backup: restoring changes nothing.');
    expect((screen.getByRole('button', { name: 'Restore same.txt' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('for the whole folder: lists every file overwritten, created and removed', async () => {
    const { dialog, bridge } = await open([
      { path: 'a.txt', change: 'overwrite' },
      { path: 'b.txt', change: 'create' },
      { path: 'new.txt', change: 'remove' },
      { path: 'c.txt', change: 'overwrite' },
    ]);
    expect(bridge.restorePreview).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', undefined);
    expect(dialog.querySelector('h4')!.textContent).toMatch(/^Restore the whole folder \/home\/me\/site from the backup of /);
    const groups = [...dialog.querySelectorAll('.restore-group')].map((g) => [g.querySelector('p')!.textContent, [...g.querySelectorAll('li')].map((li) => li.textContent)]);
    expect(groups).toEqual([
      ['Overwritten (they differ now): 2 files', ['a.txt', 'c.txt']],
      ['Created (missing now): 1 file', ['b.txt']],
      ['Removed (not in the backup): 1 file', ['new.txt']],
    ]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore the folder' })));
    expect(bridge.restoreBackup).toHaveBeenCalledExactlyOnceWith('/home/me/site', 'b-2', undefined);
  });

  it('says so when the folder already matches the backup', async () => {
    const { dialog } = await open([]);
    expect(dialog.textContent).toContain('The folder already matches the backup: restoring changes nothing.');
    expect((screen.getByRole('button', { name: 'Restore the folder' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('takes focus when it opens', async () => {
    const { dialog } = await open([{ path: 'a.txt', change: 'overwrite' }], 'a.txt');
    expect(document.activeElement).toBe(dialog);
  });

  it('Cancel and Escape close it without restoring', async () => {
    const { bridge, onCancel, dialog } = await open([{ path: 'a.txt', change: 'overwrite' }], 'a.txt');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(bridge.restoreBackup).not.toHaveBeenCalled();
  });

  it('shows why the preview failed and offers no restore', async () => {
    const { dialog } = await open({ reason: '"../x" is outside the backed-up folder /home/me/site.' }, '../x');
    expect(screen.getByRole('alert').textContent).toBe('"../x" is outside the backed-up folder /home/me/site.');
    expect((screen.getByRole('button', { name: 'Restore ../x' }) as HTMLButtonElement).disabled).toBe(true);
    expect(dialog).toBeTruthy();
  });

  it('shows why the restore failed and stays open', async () => {
    const { bridge, onRestored } = await open([{ path: 'a.txt', change: 'overwrite' }], 'a.txt');
    bridge.restoreBackup.mockResolvedValueOnce({ ok: false, reason: 'Restoring stopped part-way (undo with u-1): disk full' });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore a.txt' })));
    expect(screen.getByRole('alert').textContent).toBe('Restoring stopped part-way (undo with u-1): disk full');
    expect(onRestored).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeTruthy();
  });
});
