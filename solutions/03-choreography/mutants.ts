import { defineMutants } from '#shared/harness/mutants.ts';

export default defineMutants([
  {
    id: 'no-dedup',
    note: 'handles customer-service’s events without the processed-messages record, so a redelivered OrderCreated reserves credit twice',
    file: 'customer-service/messaging/handlers.ts',
    replace: [
      { from: 'await handleOnce(pool, message.id, async (tx) => {', to: 'await inTransaction(pool, async (tx) => {' },
      { from: "import { appendToOutbox, handleOnce } from '#shared/platform/outbox/outbox.ts';", to: "import { appendToOutbox } from '#shared/platform/outbox/outbox.ts';\nimport { inTransaction } from '#shared/platform/db.ts';" },
    ],
  },
  {
    id: 'no-row-lock',
    note: 'reads the reserved credit without locking the customer row, so concurrent reservations together exceed the limit',
    file: 'customer-service/db/credit.ts',
    replace: [{ from: "'SELECT credit_limit, credit_reserved FROM customers WHERE id = $1 FOR UPDATE'", to: "'SELECT credit_limit, credit_reserved FROM customers WHERE id = $1'" }],
  },
  {
    id: 'approve-on-created',
    note: 'approves the order as soon as it is created (on OrderCreated), before customer-service has reserved any credit',
    file: 'order-service/domain/order.ts',
    replace: [{ from: "total: input.total, state: 'APPROVAL_PENDING' };", to: "total: input.total, state: 'APPROVED' };" }],
  },
  {
    id: 'order-and-event-apart',
    note: 'stores the order and appends its OrderCreated event in two transactions, so a failure between them leaves an order no saga will ever decide',
    file: 'order-service/api/routes.ts',
    replace: [
      {
        from: `      await inTransaction(pool, async (tx) => {
        await insertOrder(tx, order);
        await appendToOutbox(tx, event);
      });`,
        to: `      await inTransaction(pool, (tx) => insertOrder(tx, order));
      await inTransaction(pool, (tx) => appendToOutbox(tx, event));`,
      },
    ],
  },
  {
    id: 'answer-after-commit',
    note: 'commits the credit change, then appends the answer in a second transaction: a failure between them leaves the credit taken and the order waiting forever',
    file: 'customer-service/messaging/handlers.ts',
    replace: [
      {
        from: `  await handleOnce(pool, message.id, async (tx) => {
    const answer = await reactTo(message, tx);
    // The answer goes out through the outbox, in the same transaction as the credit change and the dedup record.
    await appendToOutbox(tx, { id: randomUUID(), aggregateId: message.payload.customerId, ...answer });
  });`,
        to: `  let answer: CustomerEvent | undefined;
  await handleOnce(pool, message.id, async (tx) => {
    answer = await reactTo(message, tx);
  });
  if (answer) await inTransaction(pool, (tx) => appendToOutbox(tx, { id: randomUUID(), aggregateId: message.payload.customerId, ...answer! }));`,
      },
      { from: "import type { Pool, PoolClient } from '#shared/platform/db.ts';", to: "import { inTransaction, type Pool, type PoolClient } from '#shared/platform/db.ts';" },
    ],
  },
  {
    id: 'late-answer-moves-order',
    note: 'lets any answer set the order’s state, so a late or stray answer flips an order that was already approved, rejected or cancelled',
    file: 'order-service/domain/order.ts',
    replace: [{ from: "  if (order.state !== 'APPROVAL_PENDING') return order;\n", to: '' }],
  },
  {
    id: 'cancel-pending',
    note: 'lets a pending order be cancelled, ignoring the semantic lock: the saga is still deciding and its credit reservation is on its way',
    file: 'order-service/domain/order.ts',
    replace: [{ from: "if (order.state !== 'APPROVED') return", to: "if (order.state === 'REJECTED' || order.state === 'CANCELLED') return" }],
  },
  {
    id: 'cancel-without-lock',
    note: 'reads the order to cancel without locking it, so two cancels at once both see it APPROVED and its credit is released twice',
    file: 'order-service/api/routes.ts',
    replace: [{ from: 'const order = await findOrder(tx, id, { forUpdate: true });', to: 'const order = await findOrder(tx, id);' }],
  },
  {
    id: 'handler-not-awaited',
    note: 'starts the handler’s transaction without awaiting it, so the message is acked at once and a crash before the commit loses it: the saga waits forever',
    file: 'customer-service/messaging/handlers.ts',
    replace: [{ from: 'await handleOnce(pool, message.id, async (tx) => {', to: 'void handleOnce(pool, message.id, async (tx) => {' }],
  },
]);
