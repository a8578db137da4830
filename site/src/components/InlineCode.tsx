import React, {type ReactNode} from 'react';

/** Renders the `backticked` parts of a plain-text string from the manifest as inline code. */
export default function InlineCode({text}: {text: string}): ReactNode {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}
