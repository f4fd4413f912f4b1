import { useState } from 'react';
import type { IgnoredParam } from '../../config';

/** Lists the link's parameters that could not be used (rendered as text, never as HTML). */
export function IgnoredNotice({
  ignored,
  what = 'link parameter',
  testId = 'ignored-notice',
}: {
  ignored: IgnoredParam[];
  /** What the parameters are, singular: "link parameter", "benchmark link parameter". */
  what?: string;
  testId?: string;
}) {
  const [dismissed, setDismissed] = useState(false);
  if (ignored.length === 0 || dismissed) return null;
  return (
    <div className="notice notice-warning" role="alert" data-testid={testId}>
      <div className="notice-body">
        <strong>
          Ignored {ignored.length} {what}
          {ignored.length === 1 ? '' : 's'}
        </strong>{' '}
        (defaults used instead):
        <ul>
          {ignored.map((p, i) => (
            <li key={`${p.key}-${i}`}>
              <code>{p.key}</code> = <code>{p.value === '' ? '(empty)' : p.value}</code>: {p.reason}
            </li>
          ))}
        </ul>
      </div>
      <button type="button" className="button-quiet" onClick={() => setDismissed(true)}>
        Dismiss
      </button>
    </div>
  );
}
