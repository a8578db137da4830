import { defineMutants } from '#shared/harness/mutants.ts';

export default defineMutants([
  {
    id: 'publish-before-commit',
    note: 'writes OrderCreated outside the order’s transaction, so a rolled-back order still publishes its event',
    file: 'order-service/db/orders.ts',
    replace: [
      {
        from: '// Same transaction, same commit: if the order is rolled back, so is its event, and nothing is published.\n    await appendToOutbox(tx, event);',
        to: 'await appendToOutbox(pool, event);',
      },
    ],
  },
  {
    id: 'cancel-without-condition',
    note: 'updates the cancelled order whatever its state, so two cancels at once both write OrderCancelled and its credit is released twice',
    file: 'order-service/db/orders.ts',
    replace: [{ from: "'UPDATE orders SET state = $2 WHERE id = $1 AND state <> $2'", to: "'UPDATE orders SET state = $2 WHERE id = $1'" }],
  },
  {
    id: 'mark-before-confirm',
    note: 'marks rows published without waiting for RabbitMQ’s confirms, so messages lost on a dying connection are never resent',
    file: 'relay/relay.ts',
    replace: [{ from: 'await broker.publishMany(EXCHANGE, messages);', to: 'void broker.publishMany(EXCHANGE, messages).catch(() => {});' }],
  },
  {
    id: 'no-dedup',
    note: 'applies every delivery without recording the message id, so a redelivered event reserves credit twice',
    file: 'customer-service/messaging/handlers.ts',
    replace: [{ from: 'if (!(await recordProcessed(tx, message.id))) return;', to: '' }],
  },
  {
    id: 'ack-before-commit',
    note: 'does not wait for the handler’s transaction, so the message is acked before its effect commits and a crash loses it',
    file: 'customer-service/messaging/handlers.ts',
    replace: [{ from: 'await inTransaction(pool, async (tx) => {', to: 'void inTransaction(pool, async (tx) => {' }],
  },
  {
    id: 'event-after-commit',
    note: 'commits the order, then appends its OrderCreated event outside the transaction: a failure between the two leaves an order whose event never exists',
    file: 'order-service/db/orders.ts',
    replace: [
      { from: '    // Same transaction, same commit: if the order is rolled back, so is its event, and nothing is published.\n    await appendToOutbox(tx, event);\n  });', to: '  });\n  await appendToOutbox(pool, event);' },
    ],
  },
  {
    id: 'cancel-event-apart',
    note: 'commits the cancellation, then appends OrderCancelled outside the transaction: a failure between the two leaves a cancelled order whose credit is never released',
    file: 'order-service/db/orders.ts',
    replace: [{ from: '    await appendToOutbox(tx, event);\n  });\n  // #endregion save-cancelled-order', to: '  });\n  await appendToOutbox(pool, event);\n  // #endregion save-cancelled-order' }],
  },
  {
    id: 'swallow-handler-error',
    note: 'catches and logs a failed handler transaction, so the message is acked although its effect never committed, and it is lost',
    file: 'customer-service/messaging/handlers.ts',
    replace: [
      { from: '    await applyOrderEvent(message, tx);\n  });', to: '    await applyOrderEvent(message, tx);\n  }).catch((error: unknown) => console.error(\'order event not applied\', error));' },
    ],
  },
  {
    id: 'purge-by-age',
    note: 'purges outbox rows by their age (created_at) rather than by when they were published, so rows still waiting for the relay are deleted and their events lost',
    file: 'relay/relay.ts',
    replace: [{ from: '"DELETE FROM outbox WHERE published_at < now()', to: '"DELETE FROM outbox WHERE created_at < now()' }],
  },
  {
    id: 'claim-ignores-earlier',
    note: 'claims the next unpublished rows without checking that no earlier event of the same order is still unpublished, so a batch another relay holds is overtaken',
    file: 'relay/relay.ts',
    replace: [
      {
        from: `     AND NOT EXISTS (SELECT 1 FROM outbox earlier
                      WHERE earlier.aggregate_id = o.aggregate_id
                        AND earlier.published_at IS NULL
                        AND earlier.id < o.id)
`,
        to: '',
      },
    ],
  },
  {
    id: 'dedup-record-apart',
    note: 'commits the processed-message record in its own transaction before the effect, so when the effect’s commit fails the retry finds the message “done” and skips it: the event is lost',
    file: 'customer-service/messaging/handlers.ts',
    replace: [
      {
        from: `  await inTransaction(pool, async (tx) => {
    // The dedup record and the effect commit together: either both happened or neither did.
    if (!(await recordProcessed(tx, message.id))) return;`,
        to: `  if (!(await inTransaction(pool, (tx) => recordProcessed(tx, message.id)))) return;
  await inTransaction(pool, async (tx) => {`,
      },
    ],
  },
]);
