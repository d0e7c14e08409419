// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DiffView, MAX_RENDERED_LINES } from './DiffView.js';

afterEach(cleanup);

const SIDES = { old: 'this backup', new: 'the files now' };

const HOSTILE = [
  'diff --git a/index.html b/index.html',
  '--- a/index.html',
  '+++ b/index.html',
  '@@ -3,2 +3,2 @@',
  ' <body>',
  '-<p>old</p>',
  '+<img src=x onerror="alert(1)"><script>alert(2)</script>',
  'diff --git a/notes.txt b/notes.txt',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/notes.txt',
  '@@ -0,0 +1 @@',
  '+hello',
  '',
].join('\n');

describe('DiffView', () => {
  it('renders one collapsible section per file with its status and counts', () => {
    const { container } = render(<DiffView text={HOSTILE} sides={SIDES} />);
    const files = container.querySelectorAll('details.diff-file');
    expect(files).toHaveLength(2);
    expect([...files].every((d) => d.hasAttribute('open'))).toBe(true);
    expect(files[0]!.querySelector('summary')!.textContent).toBe('index.html modified +1 −1');
    expect(files[1]!.querySelector('summary')!.textContent).toBe('notes.txt added +1 −0');
    expect(screen.getByText(/2 files: − lines are in this backup, \+ lines in the files now\./)).toBeTruthy();
  });

  it('shows file content as text, never as markup', () => {
    const { container } = render(<DiffView text={HOSTILE} sides={SIDES} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByText('<img src=x onerror="alert(1)"><script>alert(2)</script>')).toBeTruthy();
  });

  it('marks each line for readers who do not see colour, with the line numbers of both sides', () => {
    render(<DiffView text={HOSTILE} sides={SIDES} />);
    const table = screen.getByRole('table', { name: 'Changes in index.html' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Line in this backup', 'Line in the files now', 'Change', 'Text']);
    const rows = within(table)
      .getAllByRole('row')
      .filter((r) => r.querySelector('td') !== null);
    expect(rows.map((r) => [r.className, ...[...r.querySelectorAll('td')].map((td) => td.textContent)])).toEqual([
      ['context', '3', '3', '', '<body>'],
      ['del', '4', '', '−removed', '<p>old</p>'],
      ['add', '', '4', '+added', '<img src=x onerror="alert(1)"><script>alert(2)</script>'],
    ]);
    // The words are for screen readers, the signs for the eye.
    expect(rows[1]!.querySelector('.mark .visually-hidden')!.textContent).toBe('removed');
    expect(rows[1]!.querySelector('.mark [aria-hidden="true"]')!.textContent).toBe('−');
    expect(within(table).getByRole('rowheader', { name: '@@ -3,2 +3,2 @@' })).toBeTruthy();
  });

  it('says when there is no difference', () => {
    render(<DiffView text="" sides={SIDES} />);
    expect(screen.getByText('No differences')).toBeTruthy();
  });

  it('renders at most MAX_RENDERED_LINES lines and counts the rest', () => {
    const extra = 25;
    const n = MAX_RENDERED_LINES + extra;
    const body = Array.from({ length: n }, (_, i) => `+line ${i}`).join('\n');
    const text = `diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,${n} @@\n${body}\n`;
    const { container } = render(<DiffView text={text} sides={SIDES} />);
    expect(container.querySelectorAll('tr.add')).toHaveLength(MAX_RENDERED_LINES);
    expect(screen.getByText(`${extra} more lines not shown.`)).toBeTruthy();
  });

  it('says a binary file has no text to show', () => {
    render(<DiffView text={'diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n'} sides={SIDES} />);
    expect(screen.getByText('Binary file: its content is not shown.')).toBeTruthy();
  });
});
