import React, {type ReactNode} from 'react';
import Link from '@docusaurus/Link';
import Details from '@theme/Details';
import Mermaid from '@theme/Mermaid';
import CheckList from './CheckList';
import {useLearnerState, verdictLine, when, type CheckOutcome} from './learner-state';

/** What crossed the wire during a failing check: the diagram the grader wrote to runs/, rendered. */
function Timeline({check}: {check: CheckOutcome}): ReactNode {
  if (!check.timeline?.mermaid) return null;
  return (
    <figure className="last-grade__timeline">
      <Mermaid value={check.timeline.mermaid} />
      <figcaption>
        What crossed the wire during this check, oldest first (also in <code>{check.timeline.file}</code>).
      </figcaption>
    </figure>
  );
}

/**
 * The learner's last result for one lab, placed under the lab page's "Grade it" section by
 * site/plugins/remark-last-grade.mjs. When a check failed, its message comes first, then the sequence
 * diagram of that check's run; the other failing checks are folded below it.
 */
export default function LastGrade({id}: {id: string}): ReactNode {
  const {onThisMachine, labs} = useLearnerState();
  const lab = labs[id];
  if (!onThisMachine) {
    return (
      <div className="last-grade last-grade--empty" data-last-grade="empty">
        When you run the course site on your machine (<code>npm start</code>), your last result for this lab shows
        here after each grade, with the timeline of a failing check. See <Link to="/your-progress">Your progress</Link>.
      </div>
    );
  }
  const run = lab?.lastRun;
  if (!run) {
    return (
      <div className="last-grade last-grade--none" data-last-grade="none">
        You have not graded lab {id} on this machine yet. Run the command above: your result shows here when it
        ends, without reloading the page.
      </div>
    );
  }
  const failing = run.checks.filter((c) => c.state === 'failed');
  const [first, ...others] = failing;
  return (
    <div className={`last-grade last-grade--${run.verdict === 'pass' ? 'pass' : 'fail'}`} data-last-grade={run.verdict}>
      <p className="last-grade__verdict">
        <strong>Your last run</strong> ({when(run.at)}): <strong>{verdictLine(run)}</strong>
        {lab.status === 'passed' && run.verdict !== 'pass' && <> · you passed this lab on {when(lab.passedAt)}</>}
      </p>
      {first && (
        <>
          <CheckList checks={[first]} />
          <Timeline check={first} />
        </>
      )}
      {others.map((check, i) => (
        <Details key={i} summary={<summary>Also failing: {check.title}</summary>}>
          <CheckList checks={[check]} />
          <Timeline check={check} />
        </Details>
      ))}
      {(run.errors ?? []).length > 0 && <pre className="check-list__message">{run.errors!.join('\n')}</pre>}
      <p className="last-grade__more">
        Every check of this run: <Link to="/your-progress">Your progress</Link>.
      </p>
    </div>
  );
}
