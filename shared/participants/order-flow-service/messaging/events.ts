import { eventLog } from '../../../platform/messaging/event-log.ts';
import type { Destination } from '../../../platform/messaging.ts';
import type { OutboxEvent } from '../../../platform/outbox/outbox.ts';

/**
 * The events of an order's life, as the services of the Create Order saga publish them: order-service its
 * order's (version 1 created, 2 decided), kitchen-service its ticket's (1 created, 2 approved or rejected),
 * accounting-service its payment's (1 authorized or declined). Each service has its own retained log, so
 * nothing orders one service's events against another's.
 */
export const PUBLISHERS = { order: 'order-service', ticket: 'kitchen-service', payment: 'accounting-service' } as const;
export const LOGS = { order: eventLog(PUBLISHERS.order), ticket: eventLog(PUBLISHERS.ticket), payment: eventLog(PUBLISHERS.payment) };

export interface FlowOrder {
  id: string;
  customerId: string;
  total: number;
  description: string;
  declined: boolean;
}

type Aggregate = keyof typeof LOGS;
interface Step {
  aggregate: Aggregate;
  type: string;
  payload: (order: FlowOrder) => Record<string, unknown>;
}

const ofOrder = (o: FlowOrder) => ({ orderId: o.id, customerId: o.customerId, total: o.total });
const DECLINED = 'the card was declined (fault knob ORDER_FLOW_DECLINE_TOTAL)';

/** An order's five events, in the order the saga produces them; `version` is added per aggregate. */
export function lifeOf(order: FlowOrder): Step[] {
  const created: Step = { aggregate: 'order', type: 'OrderCreated', payload: (o) => ({ ...ofOrder(o), description: o.description }) };
  const ticket: Step = { aggregate: 'ticket', type: 'TicketCreated', payload: (o) => ({ orderId: o.id }) };
  if (order.declined) {
    return [
      created,
      ticket,
      { aggregate: 'payment', type: 'PaymentDeclined', payload: (o) => ({ orderId: o.id, reason: DECLINED }) },
      { aggregate: 'ticket', type: 'TicketRejected', payload: (o) => ({ orderId: o.id }) },
      { aggregate: 'order', type: 'OrderRejected', payload: (o) => ({ ...ofOrder(o), reason: DECLINED }) },
    ];
  }
  return [
    created,
    ticket,
    { aggregate: 'payment', type: 'PaymentAuthorized', payload: (o) => ({ orderId: o.id }) },
    { aggregate: 'ticket', type: 'TicketApproved', payload: (o) => ({ orderId: o.id }) },
    { aggregate: 'order', type: 'OrderApproved', payload: ofOrder },
  ];
}

export const LIFE_LENGTH = 5;

/** The outbox row of step `index` of the order's life: to its service's log, with its aggregate's version. */
export function stepEvent(id: string, order: FlowOrder, index: number): OutboxEvent & { destination: Destination } {
  const life = lifeOf(order);
  const step = life[index]!;
  const version = life.slice(0, index + 1).filter((s) => s.aggregate === step.aggregate).length;
  return {
    id,
    type: step.type,
    aggregateId: `${step.aggregate}:${order.id}`,
    payload: { ...step.payload(order), version },
    destination: { exchange: LOGS[step.aggregate].exchange },
  };
}
