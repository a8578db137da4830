import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { eventually } from '../../harness/eventually.ts';
import { inTransaction } from '../db.ts';
import { commandChannel, replyChannel, type Delivered } from '../messaging.ts';
import { appendToOutbox, handleOnce, replyFor, type OutboxCommand } from './outbox.ts';
import { startRelay } from './relay.ts';
import { useOutboxFixture } from './test-fixture.ts';

const f = useOutboxFixture('cmdreply');

describe('command/reply through the outbox', () => {
  test('when a command row is relayed, then it reaches the command channel with its headers intact, and the reply comes back to the saga', async () => {
    // Fresh service names, so the channels (and their queues) are this test's own.
    const customerService = f.name('customer-service');
    const orderService = f.name('order-service');
    const commands = commandChannel(customerService);
    const replies = replyChannel(orderService, 'create-order-saga');

    // The orchestrator's side: it declares the command channel before sending, and its own reply channel.
    const [orders, orderBroker] = await Promise.all([f.database('orders'), f.broker(orderService)]);
    await orderBroker.declareTopology(commands.topology);
    await orderBroker.declareTopology(replies.topology);
    const repliesReceived: Delivered[] = [];
    await orderBroker.consume(replies.queue, (message) => void repliesReceived.push(message));
    f.defer(startRelay(orders, orderBroker, f.logger, { exchange: f.name('order-events') }));

    // The participant's side: it consumes its command channel and answers through its own outbox.
    const [customers, customerBroker] = await Promise.all([f.database('customers'), f.broker(customerService)]);
    await customerBroker.declareTopology(commands.topology);
    const commandsReceived: Delivered[] = [];
    await customerBroker.consume(commands.queue, async (command) => {
      commandsReceived.push(command);
      await handleOnce(customers, command.id, (tx) => appendToOutbox(tx, replyFor(command, { id: randomUUID(), type: 'CreditReserved', payload: { ok: true } })));
    });
    f.defer(startRelay(customers, customerBroker, f.logger, { exchange: f.name('customer-events') }));

    const sagaId = randomUUID();
    const startedBy = randomUUID(); // the id of whatever started the saga (an HTTP request, an event)
    const command: OutboxCommand = {
      id: randomUUID(),
      type: 'ReserveCredit',
      aggregateId: sagaId,
      payload: { customerId: randomUUID(), total: 42 },
      destination: commands.destination,
      correlationId: sagaId,
      causationId: startedBy,
      replyTo: replies.name,
    };
    await inTransaction(orders, (tx) => appendToOutbox(tx, command));

    await eventually(() => repliesReceived.length === 1, { description: 'the reply reached the saga' });
    expect(commandsReceived).toHaveLength(1);
    expect(commandsReceived[0]).toMatchObject({
      id: command.id,
      type: 'ReserveCredit',
      key: sagaId,
      payload: command.payload,
      correlationId: sagaId,
      causationId: startedBy,
      replyTo: replies.name,
      queue: commands.queue,
      service: orderService,
    });
    expect(repliesReceived[0]).toMatchObject({
      type: 'CreditReserved',
      key: sagaId,
      payload: { ok: true },
      correlationId: sagaId,
      causationId: command.id,
      queue: replies.queue,
      service: customerService,
    });
    expect(repliesReceived[0]?.replyTo).toBeUndefined();
  });

  test('when an event row is relayed, then it goes to the default exchange as a plain event with no headers', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const exchange = f.name('events');
    const received = await f.collect(broker, exchange);
    const orderId = randomUUID();
    await inTransaction(pool, (tx) => appendToOutbox(tx, { id: randomUUID(), type: 'OrderCreated', aggregateId: orderId, payload: { orderId } }));
    f.defer(startRelay(pool, broker, f.logger, { exchange }));

    await eventually(() => received.length === 1);
    expect(received[0]).toMatchObject({ type: 'OrderCreated', key: orderId, headers: {} });
    for (const field of ['correlationId', 'causationId', 'replyTo'] as const) expect(received[0]?.[field]).toBeUndefined();
  });
});
