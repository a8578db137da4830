import { defineMutants } from '#shared/harness/mutants.ts';

export default defineMutants([
  {
    id: 'forward-compensations',
    note: 'runs the compensations in forward order (reject the order first, the ticket last) instead of the latest step first',
    file: 'order-service/saga/react.ts',
    replace: [{ from: '  return done.reverse();', to: '  return done;' }],
  },
  {
    id: 'pivot-compensated',
    note: 'treats a failure after the pivot like one before it: compensates, undoing what the authorized payment committed to',
    file: 'order-service/saga/react.ts',
    replace: [{ from: "  if (step.kind === 'retriable') return { kind: 'retry' };", to: "  if (step.kind === 'retriable') return compensateOrEnd(compensationsFrom(definition, at.step));" }],
  },
  {
    id: 'retriable-gives-up',
    note: 'gives up a retriable step after one failure: the saga stops there, with the order never approved',
    file: 'order-service/saga/react.ts',
    replace: [{ from: "  if (step.kind === 'retriable') return { kind: 'retry' };", to: "  if (step.kind === 'retriable') return { kind: 'compensated' };" }],
  },
  {
    id: 'two-transactions',
    note: 'saves the saga’s new state and writes its next command in two transactions, so a crash in between leaves a saga waiting for a command never sent',
    file: 'order-service/saga/orchestrator.ts',
    replace: [
      { from: '  let handledStep: number | undefined;\n', to: "  let handledStep: number | undefined;\n  let next: Change<OrderDetails>['commands'] = [];\n" },
      { from: '    await saveSaga(tx, change.saga, change.history);\n    await appendToOutbox(tx, ...change.commands);\n  });\n  if (handledStep !== undefined) afterReplyHandled(handledStep);', to: '    await saveSaga(tx, change.saga, change.history);\n    next = change.commands;\n  });\n  if (handledStep !== undefined) afterReplyHandled(handledStep);\n  await inTransaction(pool, (tx) => appendToOutbox(tx, ...next));' },
    ],
  },
  {
    id: 'no-reply-dedup',
    note: 'handles replies without the processed-messages record, so a reply delivered again is handled again',
    file: 'order-service/saga/orchestrator.ts',
    replace: [{ from: '  await handleOnce(pool, reply.id, async (tx) => {', to: '  await inTransaction(pool, async (tx) => {' }],
  },
]);
