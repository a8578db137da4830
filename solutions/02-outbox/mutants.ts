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
]);
