/** What the customer-service knows about a customer's credit when it decides. */
export interface CreditState {
  creditLimit: number;
  reserved: number;
}

export type ReservationDecision =
  | { kind: 'reserve' }
  | { kind: 'limit-exceeded'; limit: number; available: number };

/** A pure decision: no I/O, so it is tested without a database and reads like the business rule. */
export function decideReservation(state: CreditState, amount: number): ReservationDecision {
  const available = state.creditLimit - state.reserved;
  if (amount > available) return { kind: 'limit-exceeded', limit: state.creditLimit, available };
  return { kind: 'reserve' };
}
