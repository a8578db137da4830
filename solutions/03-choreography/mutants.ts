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
]);
