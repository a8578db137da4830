import React, {type ReactNode} from 'react';
import Link from '@docusaurus/Link';
import InlineCode from './InlineCode';
import {labs} from './manifest';
import {upcomingLabs} from './upcoming-labs';

/**
 * The list of labs, in course order, straight from labs/manifest.json, then the labs still to come. Those have
 * no page yet, so they are listed without a link.
 */
export default function LabIndex(): ReactNode {
  return (
    <>
      <ul className="lab-index">
        {labs.map((lab) => (
          <li key={lab.id} className="lab-index__item">
            <Link to={`/${lab.docs}`}>
              <span className="lab-index__id">{lab.id}</span>
              <strong>{lab.title}</strong>
            </Link>
            <p className="lab-index__summary">
              <InlineCode text={lab.summary} />
            </p>
          </li>
        ))}
      </ul>
      {upcomingLabs.length > 0 && (
        <>
          <p>
            <strong>Still to come.</strong> These labs are planned and not written yet; the concept pages already
            teach their ideas.
          </p>
          <ul className="lab-index lab-index--upcoming">
            {upcomingLabs.map((lab) => (
              <li key={lab.id} className="lab-index__item lab-index__item--upcoming">
                <span className="lab-index__id">{lab.id}</span>
                <strong>{lab.title}</strong> <em>(to come)</em>
                <p className="lab-index__summary">{lab.summary}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
