import React, {type ReactNode} from 'react';
import type {CheckOutcome} from './learner-state';

/** The checks of a run, one line each; a failing check's message sits under it, as the terminal shows it. */
export default function CheckList({checks}: {checks: CheckOutcome[]}): ReactNode {
  return (
    <ul className="check-list">
      {checks.map((check, i) => (
        <li key={i} className={`check-list__item check-list__item--${check.state}`} data-check-state={check.state}>
          <span className="check-list__mark" aria-label={check.state}>
            {check.state === 'passed' ? '✓' : check.state === 'failed' ? '✗' : '–'}
          </span>{' '}
          {check.title}
          {check.message && <pre className="check-list__message">{check.message}</pre>}
        </li>
      ))}
    </ul>
  );
}
