import { z } from 'zod';

// order-service's own copy of the customer-service events it consumes, parsed at the boundary.
const Answer = z.object({ orderId: z.uuid(), customerId: z.uuid() });

export const customerEventSchemas = {
  CreditReserved: Answer.extend({ total: z.number().int() }),
  CustomerCreditLimitExceeded: Answer.extend({ total: z.number().int(), limit: z.number().int(), available: z.number().int() }),
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
