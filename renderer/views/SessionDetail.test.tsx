// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderDashboard } from './testSupport.js';
import { SessionsView } from './SessionsView.js';

afterEach(cleanup);

describe('SessionDetail', () => {
  it('opens from the sessions table by click and goes back', () => {
    renderDashboard(<SessionsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Open session s-1' }));
    expect(screen.getByRole('heading', { name: 'Session s-1' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: /Back to sessions/ }));
    expect(screen.getByRole('table')).toBeTruthy();
  });

  it('opens by keyboard (the id is a button) and switches tabs with the arrow keys', () => {
    renderDashboard(<SessionsView />);
    const open = screen.getByRole('button', { name: 'Open session s-2' });
    open.focus();
    fireEvent.click(open); // Enter on a focused button is a click in the browser (jsdom does not synthesize it)
    const tablist = screen.getByRole('tablist');
    fireEvent.keyDown(tablist, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Terminal' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').id).toBe('detail-panel-terminal');
    fireEvent.keyDown(tablist, { key: 'ArrowLeft' });
    expect(screen.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
  });
});
