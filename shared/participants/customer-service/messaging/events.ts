import { eventLog } from '../../../platform/messaging/event-log.ts';
import type { Destination } from '../../../platform/messaging.ts';
import type { OutboxEvent } from '../../../platform/outbox/outbox.ts';

/**
 * customer-service's events (lab 07 on), published to its retained log (`customer-service.events`, kept in
 * the stream `customer-service.events.log`). `version` is the customer's version after the change: 1 for
 * its creation, then one more per change.
 */
export type CustomerEvent =
  | { type: 'CustomerCreated'; payload: { customerId: string; name: string; creditLimit: number; version: number } }
  | { type: 'CustomerCreditLimitChanged'; payload: { customerId: string; creditLimit: number; version: number } };

export const CUSTOMER_EVENTS = eventLog('customer-service');

/**
 * The outbox row of an event. Its destination is the events exchange: this participant's outbox also holds
 * replies, and its relay's default exchange is its command channel. The customer is the aggregate, so one
 * customer's events leave in the order they were written.
 */
export function customerEvent(id: string, event: CustomerEvent): OutboxEvent & { destination: Destination } {
  return { id, type: event.type, aggregateId: event.payload.customerId, payload: event.payload, destination: { exchange: CUSTOMER_EVENTS.exchange } };
}
