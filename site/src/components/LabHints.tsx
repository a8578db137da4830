import React, {type ReactNode} from 'react';
import Details from '@theme/Details';
import InlineCode from './InlineCode';
import {findLab} from './manifest';

/**
 * A lab's hints from labs/manifest.json, one collapsed block each, so the page and `npm run hint` show the
 * same words. Try each hint in order; open the next only when you are stuck.
 */
export default function LabHints({id}: {id: string}): ReactNode {
  const lab = findLab(id);
  return (
    <div className="lab-hints">
      {lab.hints.map((hint, i) => (
        <Details key={i} summary={<summary>Hint {i + 1}</summary>}>
          <p>
            <InlineCode text={hint} />
          </p>
        </Details>
      ))}
    </div>
  );
}
