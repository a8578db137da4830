import { z } from 'zod';

// customer-service's own copy of the events it consumes: it parses every message at the boundary, and never
// imports order-service's code (that would couple their releases).
const OrderEventPayload = z.object({ orderId: z.uuid(), customerId: z.uuid(), total: z.number().int().positive() });

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
