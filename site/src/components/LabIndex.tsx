import React, {type ReactNode} from 'react';
import Link from '@docusaurus/Link';
import InlineCode from './InlineCode';
import {labs} from './manifest';

/** The list of labs, in course order, straight from labs/manifest.json. */
export default function LabIndex(): ReactNode {
  return (
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
  );
}
