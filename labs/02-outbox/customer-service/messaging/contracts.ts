import { z } from 'zod';
import { money, uuid } from '#shared/platform/validation.ts';

// customer-service's own copy of the events it consumes: it parses every message at the boundary, and never
// imports order-service's code (that would couple their releases).
// The same schema pieces as order-service's API: every order it accepts makes an event this contract parses
// (shared/fuzz/contracts.unit.test.ts checks it), so an accepted order cannot end in the dead-letter queue.
const OrderEventPayload = z.object({ orderId: uuid, customerId: uuid, total: money });

export const orderEventSchemas = {
  OrderCreated: OrderEventPayload,
  OrderCancelled: OrderEventPayload,
};

export const ORDER_EVENTS_EXCHANGE = 'order-events';
export const ORDER_EVENTS_QUEUE = 'customer-service.order-events';

export const topology = {
  exchanges: [ORDER_EVENTS_EXCHANGE],
  queues: [
    {
      name: ORDER_EVENTS_QUEUE,
      bindings: [
        { exchange: ORDER_EVENTS_EXCHANGE, pattern: 'OrderCreated.#' },
        { exchange: ORDER_EVENTS_EXCHANGE, pattern: 'OrderCancelled.#' },
      ],
      retryDelayMs: 200,
      maxAttempts: 3,
    },
  ],
};
