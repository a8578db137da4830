import { expect, test } from 'vitest';
import { eventSourcingDemo } from './event-sourcing.ts';

// The demo answers 0 only when what it narrates happened: each race's loser was refused and decided again,
// the naive reader lost the held transaction's event, and the lab's publisher sent both. A change to lab 08's
// store that breaks the story fails here, not in front of a class.
test('when the event-sourcing demo runs, then the loser of each race decides again, the naive reader loses an event and the publisher sends every one', async () => {
  expect(await eventSourcingDemo()).toBe(0);
});
