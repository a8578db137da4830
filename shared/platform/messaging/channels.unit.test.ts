import type { ConsumeMessage } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { commandChannel, replyChannel, replyDestination } from './channels.ts';
import { decode, encode, HEADER, routingKeyFor } from './envelope.ts';

describe('channels', () => {
  test('when a command channel is named, then sender and receiver get one exchange and queue, bound to every routing key', () => {
    expect(commandChannel('customer-service')).toEqual({
      name: 'customer-service.commands',
      destination: { exchange: 'customer-service.commands' },
      queue: 'customer-service.commands',
      topology: {
        exchanges: ['customer-service.commands'],
        queues: [{ name: 'customer-service.commands', bindings: [{ exchange: 'customer-service.commands', pattern: '#' }] }],
      },
    });
  });

  test("when a reply channel is named, then it is the saga's own, and a command's replyTo leads back to it", () => {
    const replies = replyChannel('order-service', 'create-order-saga', { retryDelayMs: 200 });
    expect(replies.name).toBe('order-service.create-order-saga.replies');
    expect(replies.topology.queues[0]).toMatchObject({ name: replies.queue, retryDelayMs: 200 });
    expect(replyDestination({ id: 'c1', type: 'ReserveCredit', replyTo: replies.name })).toEqual(replies.destination);
  });

  test('when a command has no replyTo, then replyDestination says so instead of guessing', () => {
    expect(() => replyDestination({ id: 'c1', type: 'ReserveCredit' })).toThrow('ReserveCredit c1 has no replyTo');
  });

  test('when a name part would add a dot or a wildcard, then it is refused', () => {
    for (const bad of ['customer.service', 'orders#', '*', '']) expect(() => commandChannel(bad)).toThrow(`got "${bad}"`);
    expect(() => replyChannel('order-service', 'create order')).toThrow(/saga name/);
  });
});

describe('envelope: command and reply fields', () => {
  const raw = (encoded: ReturnType<typeof encode>, routingKey: string) =>
    ({ content: encoded.content, properties: encoded.options, fields: { routingKey, redelivered: false } }) as unknown as ConsumeMessage;

  test('when a plain event is encoded, then it carries no header table (each costs RabbitMQ CPU)', () => {
    const { options } = encode({ id: 'e1', type: 'OrderCreated', key: 'o1', payload: {} }, 'order-service');
    expect(options.headers).toBeUndefined();
    expect(options).not.toHaveProperty('correlationId');
    expect(options).not.toHaveProperty('replyTo');
  });

  test('when a command is encoded and decoded, then correlation id and reply-to travel as AMQP properties and the causation id as a kit header', () => {
    const command = { id: 'c1', type: 'ReserveCredit', key: 's1', payload: { total: 1 }, correlationId: 's1', causationId: 'r1', replyTo: 'order-service.saga.replies', headers: { 'x-note': 'n' } };
    const encoded = encode(command, 'order-service');
    expect(encoded.options).toMatchObject({ correlationId: 's1', replyTo: 'order-service.saga.replies', headers: { [HEADER.causationId]: 'r1', 'x-note': 'n' } });

    const decoded = decode(raw(encoded, routingKeyFor(command)), undefined, 'customer-service.commands');
    expect(decoded.ok && decoded.message).toMatchObject({ id: 'c1', key: 's1', correlationId: 's1', causationId: 'r1', replyTo: 'order-service.saga.replies' });
  });

  test('when a message names its own routing key, then it is used as is', () => {
    expect(routingKeyFor({ id: 'm1', type: 'ReserveCredit', key: 's1', payload: {}, routingKey: 'customers' })).toBe('customers');
    expect(routingKeyFor({ id: 'm1', type: 'ReserveCredit', key: 's1', payload: {} })).toBe('ReserveCredit.s1');
  });
});
