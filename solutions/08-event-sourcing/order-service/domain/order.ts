import { MAX_LINES, ORDER_NOT_FOUND, totalOf, type Decision, type OrderCommand, type OrderEvent, type OrderState } from './events.ts';

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
      if (state.status === 'none') return rejected(ORDER_NOT_FOUND);
      if (state.status !== 'open') return rejected(`the order is ${state.status}: lines can only be added to an open order`);
      if (state.lines.length >= MAX_LINES) return rejected(`the order already has ${MAX_LINES} lines, the most an order may have`);
      return accepted({ type: 'LineAdded', data: { line: command.line } });
    case 'ConfirmOrder':
      if (state.status === 'none') return rejected(ORDER_NOT_FOUND);
      if (state.status !== 'open') return rejected(`the order is ${state.status}: only an open order can be confirmed`);
      if (state.lines.length === 0) return rejected('the order has no lines: add one before confirming');
      return accepted({ type: 'OrderConfirmed', data: { total: totalOf(state.lines), confirmedAt: command.at } });
    case 'CancelOrder':
      if (state.status === 'none') return rejected(ORDER_NOT_FOUND);
      if (state.status === 'cancelled') return rejected('the order is already cancelled');
      return accepted({ type: 'OrderCancelled', data: { reason: command.reason, cancelledAt: command.at } });
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
      if (state.status !== 'open') return state;
      // A new array: the state we were given may be someone else's (the shared initial state, a cached load).
      return { ...state, lines: [...state.lines, event.data.line] };
    case 'OrderConfirmed':
      if (state.status !== 'open') return state;
      return { status: 'confirmed', orderId: state.orderId, customerId: state.customerId, lines: state.lines, total: event.data.total };
    case 'OrderCancelled':
      if (state.status === 'none') return state;
      return { status: 'cancelled', orderId: state.orderId, customerId: state.customerId, lines: state.lines, reason: event.data.reason };
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
