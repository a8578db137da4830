import { z } from 'zod';
import { money, uuid } from '#shared/platform/validation.ts';

// customer-service's own copy of the order events it consumes, parsed at the boundary.
// The same schema pieces as order-service's API: every order it accepts makes an event this contract parses
// (shared/fuzz/contracts.unit.test.ts checks it), so an accepted order cannot end in the dead-letter queue.
const OrderEventPayload = z.object({ orderId: uuid, customerId: uuid, total: money });

export const orderEventSchemas = {
  OrderCreated: OrderEventPayload,
  OrderCancelled: OrderEventPayload,
};

export const ORDER_EVENTS = 'order-events';
export const CUSTOMER_EVENTS = 'customer-events';
export const QUEUE = 'customer-service.order-events';

export const topology = {
  exchanges: [ORDER_EVENTS, CUSTOMER_EVENTS],
  queues: [
    {
      name: QUEUE,
      bindings: Object.keys(orderEventSchemas).map((type) => ({ exchange: ORDER_EVENTS, pattern: `${type}.#` })),
      retryDelayMs: 200,
      maxAttempts: 5,
    },
  ],
};

/** The events customer-service publishes: its answers in the saga. */
export type CustomerEvent =
  | { type: 'CreditReserved'; payload: { orderId: string; customerId: string; total: number } }
  | { type: 'CustomerCreditLimitExceeded'; payload: { orderId: string; customerId: string; total: number; limit: number; available: number } }
  | { type: 'CustomerNotFound'; payload: { orderId: string; customerId: string } }
  | { type: 'CreditReleased'; payload: { orderId: string; customerId: string; total: number } };
