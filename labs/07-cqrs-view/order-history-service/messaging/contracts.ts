import { z } from 'zod';

/**
 * The events the view reads, in its own copy of their contracts (parsed at the boundary), and the logs they
 * come from: one retained log (a RabbitMQ stream) per publishing service. Each event carries the version of
 * its aggregate (the customer, the order, the order's ticket, its payment) after the change.
 */
export const LOGS = ['customer-service', 'order-service', 'kitchen-service', 'accounting-service'] as const;
export type LogName = (typeof LOGS)[number];

const version = z.number().int().positive();
const customer = z.object({ customerId: z.uuid(), version });
const order = z.object({ orderId: z.uuid(), customerId: z.uuid(), total: z.number().int().positive(), version });
const ofOrder = z.object({ orderId: z.uuid(), version });

export const eventSchemas = {
  CustomerCreated: customer.extend({ name: z.string(), creditLimit: z.number().int().nonnegative() }),
  CustomerCreditLimitChanged: customer.extend({ creditLimit: z.number().int().nonnegative() }),
  OrderCreated: order.extend({ description: z.string() }),
  OrderApproved: order,
  OrderRejected: order.extend({ reason: z.string() }),
  TicketCreated: ofOrder,
  TicketApproved: ofOrder,
  TicketRejected: ofOrder,
  PaymentAuthorized: ofOrder,
  PaymentDeclined: ofOrder.extend({ reason: z.string() }),
};

type Schemas = typeof eventSchemas;
/** One event as the projection sees it: its type and its parsed payload. */
export type ViewEvent = { [T in keyof Schemas]: { type: T; payload: z.output<Schemas[T]> } }[keyof Schemas];

/** Parses an entry of a log; a string saying why when it cannot be a view event (a poison entry). */
export function parseEvent(type: string | undefined, body: string): ViewEvent | string {
  if (!type || !Object.hasOwn(eventSchemas, type)) return `unknown event type ${JSON.stringify(type)}`;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  const parsed = eventSchemas[type as keyof Schemas].safeParse(json);
  if (!parsed.success) return `the payload does not match ${type}: ${z.prettifyError(parsed.error)}`;
  return { type, payload: parsed.data } as ViewEvent;
}
