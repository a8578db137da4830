import React, {type ReactNode} from 'react';
import Link from '@docusaurus/Link';
import CheckList from './CheckList';
import InlineCode from './InlineCode';
import {labs, type Lab} from './manifest';
import {useLearnerState, verdictLine, when, type LabView} from './learner-state';

function Status({view}: {view: LabView | undefined}): ReactNode {
  if (!view) return <span className="lab-status lab-status--unknown">—</span>;
  const label = view.status === 'passed' ? `passed on ${when(view.passedAt)}` : view.status;
  return <span className={`lab-status lab-status--${view.status.replace(' ', '-')}`}>{label}</span>;
}

function LabProgress({lab, view}: {lab: Lab; view: LabView | undefined}): ReactNode {
  const run = view?.lastRun;
  const hints = lab.hints.slice(0, view?.hintsSeen ?? 0);
  return (
    <li className="lab-index__item lab-progress" data-lab={lab.id} data-status={view?.status ?? 'unknown'}>
      <div className="lab-progress__head">
        <Link to={`/${lab.docs}`}>
          <span className="lab-index__id">{lab.id}</span>
          <strong>{lab.title}</strong>
        </Link>
        <Status view={view} />
      </div>
      {run && (
        <>
          <p className="lab-progress__run">
            Last run {when(run.at)}: <strong>{verdictLine(run)}</strong>
            {run.verdict !== 'pass' && (
              <>
                {' '}· the timeline of the failing check is on <Link to={`/${lab.docs}#grade-it`}>the lab page</Link>
              </>
            )}
          </p>
          <CheckList checks={run.checks} />
        </>
      )}
      {hints.length > 0 && (
        <div className="lab-progress__hints">
          Hints seen ({hints.length} of {lab.hints.length}):
          <ol>
            {hints.map((hint, i) => (
              <li key={i}>
                <InlineCode text={hint} />
              </li>
            ))}
          </ol>
        </div>
      )}
    </li>
  );
}

/**
 * Every lab of labs/manifest.json with the learner's status, the checks of the last run and the hints seen,
 * from the files the CLI writes in .kit/ (see site/plugins/learner-progress.mjs). Empty on the public site.
 */
export default function YourProgress(): ReactNode {
  const {onThisMachine, labs: views} = useLearnerState();
  const passed = labs.filter((lab) => views[lab.id]?.status === 'passed').length;
  return (
    <div className="your-progress" data-on-this-machine={String(onThisMachine)}>
      {onThisMachine ? (
        <p className="your-progress__note">
          <strong>
            {passed} of {labs.length} labs pass.
          </strong>{' '}
          Read from <code>.kit/</code> in your copy of the kit; this page refreshes by itself when{' '}
          <code>npm run grade</code> or <code>npm run hint</code> finishes.
        </p>
      ) : (
        <p className="your-progress__note">
          <strong>This view fills in on a learner's machine.</strong> Run the course site from your own copy of the
          kit (<code>npm start</code>) and grade a lab (<code>npm run grade -- 00</code>): this page then shows each
          lab's status, the checks of your last run and the hints you have opened. The public site knows nothing
          about you, so here it stays empty.
        </p>
      )}
      <ul className="lab-index">
        {labs.map((lab) => (
          <LabProgress key={lab.id} lab={lab} view={onThisMachine ? views[lab.id] : undefined} />
        ))}
      </ul>
    </div>
  );
}
