/** A button that runs a bridge action, optionally after an inline confirmation, and shows its failure beside it. */

import { useState } from 'react';
import type { ActionResult } from '../../common/dashboard.js';

interface ActionButtonProps<T extends object> {
  /** Visible text. */
  label: string;
  /** Accessible name when the label alone is ambiguous (e.g. one button per row). */
  ariaLabel?: string;
  run: () => Promise<ActionResult<T>>;
  /** When given, a click asks this question first and runs only on "Yes". */
  confirm?: string;
  /** Text shown after success, from the result. */
  describeSuccess?: (result: { ok: true } & T) => string;
  disabled?: boolean;
  danger?: boolean;
}

type Phase = 'idle' | 'confirming' | 'busy';

export function ActionButton<T extends object>(props: ActionButtonProps<T>) {
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const execute = async (): Promise<void> => {
    setPhase('busy');
    setError(null);
    setDone(null);
    try {
      const result = await props.run();
      if (result.ok) setDone(props.describeSuccess?.(result) ?? null);
      else setError(result.reason);
    } catch (err) {
      // The bridge returns failures as values; a throw is a bug, shown rather than lost.
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setPhase('idle');
    }
  };

  const className = props.danger === true ? 'danger' : undefined;
  return (
    <span className="action">
      {phase === 'confirming' ? (
        <span role="group" aria-label={props.confirm} className="confirm">
          <span>{props.confirm}</span>{' '}
          <button type="button" className="danger" onClick={() => void execute()}>
            Yes, {props.label.toLowerCase()}
          </button>{' '}
          <button type="button" onClick={() => setPhase('idle')}>
            No
          </button>
        </span>
      ) : (
        <button
          type="button"
          className={className}
          aria-label={props.ariaLabel}
          disabled={props.disabled === true || phase === 'busy'}
          onClick={() => (props.confirm === undefined ? void execute() : setPhase('confirming'))}
        >
          {props.label}
        </button>
      )}
      {error !== null && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
      {done !== null && (
        <span role="status" className="ok">
          {done}
        </span>
      )}
    </span>
  );
}
