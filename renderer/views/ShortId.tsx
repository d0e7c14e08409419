/**
 * An id shown by its first characters, the whole id on hover (title) and a button that copies it.
 * The button's icon is CSS content, so the cell's text is the id alone.
 */

import { useEffect, useState } from 'react';
import { shortId } from './format.js';

/** How long "Copied" stays beside the button. */
const COPIED_NOTE_MS = 2_000;

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * `kind` names the id for the button's accessible name ("Copy session id <id>"), so a row that
 * shows the short id is still found by its full id. With `open`, the short id is a button that
 * opens the thing (its accessible name is `open.label`).
 */
export function ShortId(props: { id: string; kind: string; open?: { label: string; onOpen: () => void } }) {
  const { id, kind, open } = props;
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    if (copy === 'idle') return;
    const handle = setTimeout(() => setCopy('idle'), COPIED_NOTE_MS);
    return () => clearTimeout(handle);
  }, [copy]);

  const onCopy = async (): Promise<void> => {
    try {
      // Undefined outside a secure context (the dashboard is served on localhost, which is one).
      if (navigator.clipboard === undefined) throw new Error('no clipboard');
      await navigator.clipboard.writeText(id);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  return (
    <span className="short-id">
      {open === undefined ? (
        <code title={id}>{shortId(id)}</code>
      ) : (
        <button type="button" className="link" aria-label={open.label} title={id} onClick={open.onOpen}>
          <code>{shortId(id)}</code>
        </button>
      )}
      <button type="button" className="copy" aria-label={`Copy ${kind} ${id}`} title={`Copy the full ${kind}`} onClick={() => void onCopy()} />
      <span aria-live="polite" className="copy-note">
        {copy === 'copied' ? 'Copied' : copy === 'failed' ? 'Copy failed: select the id from its tooltip' : ''}
      </span>
    </span>
  );
}
