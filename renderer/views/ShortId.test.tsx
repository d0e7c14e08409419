// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShortId } from './ShortId.js';

const ID = '3f2a9c1e-77b0-4c1d-9a55-0d7e5b2f4e11';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ShortId', () => {
  it('shows the first 8 characters with the whole id on hover and in the copy button\'s name', () => {
    const { container } = render(<ShortId id={ID} kind="session id" />);
    const code = container.querySelector('code');
    expect(code?.textContent).toBe('3f2a9c1e');
    expect(code?.getAttribute('title')).toBe(ID);
    expect(container.textContent).toBe('3f2a9c1e');
    expect(screen.getByRole('button', { name: `Copy session id ${ID}` })).toBeTruthy();
  });

  it('can be a button that opens the thing, still showing the short id with the whole id on hover', () => {
    let opened = 0;
    render(<ShortId id={ID} kind="session id" open={{ label: `Open session ${ID}`, onOpen: () => opened++ }} />);
    const open = screen.getByRole('button', { name: `Open session ${ID}` });
    expect(open.textContent).toBe('3f2a9c1e');
    expect(open.getAttribute('title')).toBe(ID);
    fireEvent.click(open);
    expect(opened).toBe(1);
  });

  it('copies the whole id and says so; says what to do when the clipboard refuses', async () => {
    const writeText = vi.fn<(text: string) => Promise<void>>().mockResolvedValueOnce(undefined).mockRejectedValueOnce(new Error('denied'));
    vi.stubGlobal('navigator', { clipboard: { writeText } });
    const { container } = render(<ShortId id={ID} kind="job id" />);
    const note = (): string | null | undefined => container.querySelector('[aria-live="polite"]')?.textContent;
    const button = screen.getByRole('button', { name: `Copy job id ${ID}` });
    await act(async () => fireEvent.click(button));
    expect(writeText).toHaveBeenCalledWith(ID);
    expect(note()).toBe('Copied');
    await act(async () => fireEvent.click(button));
    expect(note()).toBe('Copy failed: select the id from its tooltip');
  });
});
