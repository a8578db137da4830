import { MAX_LINES, ORDER_NOT_FOUND, totalOf, type Decision, type OrderCommand, type OrderEvent, type OrderState } from './events.ts';
import { LabTodo } from '#shared/platform/todo.ts';

/** The state of a stream with no events yet. Shared by every load: `evolve` must never change it. */
export const initialState: OrderState = { status: 'none' };

const accepted = (...events: OrderEvent[]): Decision => ({ kind: 'accepted', events });
const rejected = (reason: string): Decision => ({ kind: 'rejected', reason });

/**
 * The business decision, pure: what happens if `command` is run on an order in `state`. No I/O, no clock, no
 * random ids: given the same inputs it answers the same, so the command handler may call it again after a
 * conflict, on the state it reloaded.
 */
export function decide(command: OrderCommand, state: OrderState): Decision {
  switch (command.type) {
    case 'PlaceOrder':
      if (state.status !== 'none') return rejected(`order ${command.orderId} already exists`);
      return accepted({ type: 'OrderPlaced', data: { orderId: command.orderId, customerId: command.customerId, placedAt: command.at } });
    case 'AddLine':
    case 'ConfirmOrder':
    case 'CancelOrder':
      // TODO(lab 08): the other three commands, as PlaceOrder above: on a stream with no events, reject with
      // ORDER_NOT_FOUND; add a line only to an open order of fewer than MAX_LINES lines; confirm an open order
      // that has lines (its total is totalOf(lines)); cancel any order not cancelled yet.
      // See http://localhost:3000/labs/08-event-sourcing and `npm run hint -- 08`.
      throw new LabTodo('08', `decide(${command.type}) in labs/08-event-sourcing/order-service/domain/order.ts`);
    default:
      return unknownCommand(command);
  }
}

/**
 * One event applied to a state: a new state, built from the old one and never written into it. A load folds
 * every event of the stream this way, starting from `initialState`.
 */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced':
      return { status: 'open', orderId: event.data.orderId, customerId: event.data.customerId, lines: [] };
    case 'LineAdded':
    case 'OrderConfirmed':
    case 'OrderCancelled':
      // TODO(lab 08): the state after each event, built from `state` and never written into it: the state you
      // are given may be shared (initialState is). An event that does not fit the state changes nothing.
      throw new LabTodo('08', `evolve(${event.type}) in labs/08-event-sourcing/order-service/domain/order.ts`);
    default:
      return unknownEvent(event);
  }
}

/** Folds a stream's events into its state. */
export function stateOf(events: readonly OrderEvent[]): OrderState {
  return events.reduce(evolve, initialState);
}

// A new command or event type does not compile until it is handled above.
function unknownCommand(command: never): never {
  throw new Error(`unknown command ${JSON.stringify(command)}`);
}
function unknownEvent(event: never): never {
  throw new Error(`unknown event ${JSON.stringify(event)}`);
}
