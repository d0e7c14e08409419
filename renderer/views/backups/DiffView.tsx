/**
 * A unified diff rendered for reading: one collapsible section per file (its path, status and line
 * counts), each hunk as a table with the old and new line numbers, a +/− marker that screen readers
 * read as "added"/"removed" (colour is never the only sign), and the line's text. Every part of the
 * diff is React text: content from the files is never turned into markup.
 */

import { useMemo } from 'react';
import { displayPath, parseUnifiedDiff, type DiffFile, type DiffLine } from './unifiedDiff.js';

/** Lines rendered at most over all files; the rest are counted, so a huge diff cannot freeze the view. */
export const MAX_RENDERED_LINES = 4_000;

const STATUS_TEXT: Record<DiffFile['status'], string> = { added: 'added', deleted: 'deleted', modified: 'modified', renamed: 'renamed' };

/** Which side is which: "a" the backup (or the previous backup), "b" the newer state. */
export interface DiffSides {
  old: string;
  new: string;
}

function Marker(props: { kind: DiffLine['kind'] }) {
  switch (props.kind) {
    case 'add':
      return (
        <>
          <span aria-hidden="true">+</span>
          <span className="visually-hidden">added</span>
        </>
      );
    case 'del':
      return (
        <>
          <span aria-hidden="true">−</span>
          <span className="visually-hidden">removed</span>
        </>
      );
    case 'note':
      return <span aria-hidden="true">\</span>;
    default:
      return null;
  }
}

function FileDiff(props: { file: DiffFile; sides: DiffSides; budget: { left: number } }) {
  const { file, sides, budget } = props;
  const name = displayPath(file);
  let hidden = 0;
  const hunks = file.hunks.map((h, hi) => {
    const shown = h.lines.slice(0, Math.max(0, budget.left));
    budget.left -= shown.length;
    hidden += h.lines.length - shown.length;
    if (shown.length === 0) return null;
    return (
      <tbody key={hi}>
        <tr className="hunk">
          <th scope="rowgroup" colSpan={4}>
            {h.header}
          </th>
        </tr>
        {shown.map((l, li) => (
          <tr key={li} className={l.kind}>
            <td className="ln">{l.oldNo ?? ''}</td>
            <td className="ln">{l.newNo ?? ''}</td>
            <td className="mark">
              <Marker kind={l.kind} />
            </td>
            <td className="code">{l.text}</td>
          </tr>
        ))}
      </tbody>
    );
  });
  return (
    <details className="diff-file" open>
      <summary>
        <code>{name}</code> <span className="status">{STATUS_TEXT[file.status]}</span>{' '}
        {file.binary ? (
          <span>binary file</span>
        ) : (
          <span>
            <span className="count-add">+{file.additions}</span> <span className="count-del">−{file.deletions}</span>
          </span>
        )}
      </summary>
      {file.notes.map((n) => (
        <p key={n} className="detail">
          {n}
        </p>
      ))}
      {file.binary && <p className="detail">Binary file: its content is not shown.</p>}
      {file.hunks.length > 0 && (
        <table className="diff-table" aria-label={`Changes in ${name}`}>
          <thead className="visually-hidden">
            <tr>
              <th scope="col">Line in {sides.old}</th>
              <th scope="col">Line in {sides.new}</th>
              <th scope="col">Change</th>
              <th scope="col">Text</th>
            </tr>
          </thead>
          {hunks}
        </table>
      )}
      {hidden > 0 && <p className="detail">{hidden} more lines not shown.</p>}
    </details>
  );
}

/** The rendered diff of `text`, or "No differences" when it is empty. */
export function DiffView(props: { text: string; sides: DiffSides }) {
  const files = useMemo(() => parseUnifiedDiff(props.text), [props.text]);
  if (files.length === 0) return <p>No differences</p>;
  const budget = { left: MAX_RENDERED_LINES };
  return (
    <div className="diff-files">
      <p className="detail">
        {files.length} {files.length === 1 ? 'file' : 'files'}: − lines are in {props.sides.old}, + lines in {props.sides.new}.
      </p>
      {files.map((f, i) => (
        <FileDiff key={`${i}:${displayPath(f)}`} file={f} sides={props.sides} budget={budget} />
      ))}
    </div>
  );
}
