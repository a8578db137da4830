import { z } from 'zod';
import { money, moneyOrZero, uuid } from '#shared/platform/validation.ts';

// order-service's own copy of the customer-service events it consumes, parsed at the boundary.
const Answer = z.object({ orderId: uuid, customerId: uuid });

export const customerEventSchemas = {
  CreditReserved: Answer.extend({ total: money }),
  CustomerCreditLimitExceeded: Answer.extend({ total: money, limit: moneyOrZero, available: z.number().int() }),
  CustomerNotFound: Answer,
};

export const ORDER_EVENTS = 'order-events';
export const CUSTOMER_EVENTS = 'customer-events';
export const QUEUE = 'order-service.customer-events';

export const topology = {
  exchanges: [ORDER_EVENTS, CUSTOMER_EVENTS],
  queues: [
    {
      name: QUEUE,
      bindings: Object.keys(customerEventSchemas).map((type) => ({ exchange: CUSTOMER_EVENTS, pattern: `${type}.#` })),
      retryDelayMs: 200,
      maxAttempts: 5,
    },
  ],
};
