import type { PoolClient } from '../../../platform/db.ts';
import type { PausePoints } from '../../../platform/pause-points.ts';

/** The customer's credit as a command reads it before changing it. */
export interface SeenCredit {
  creditLimit: number;
  creditReserved: number;
}

/**
 * One change to a customer's reserved credit. `reserve` takes credit for an order; `release`, the
 * compensation of a reservation, gives it back; `reinstate`, the compensation of a release, takes it again.
 * A revised order (lab 05's Revise Order) changes by the difference, as the same three: more credit is a
 * `reserve`, less a `release`, and taking back a decrease a `reinstate` (revision.ts).
 */
export interface CreditChange {
  customerId: string;
  operation: 'reserve' | 'release' | 'reinstate';
  /** In cents, positive. */
  amount: number;
  /** The customer's credit as read when the command began. */
  seen: SeenCredit;
}

/** Writes one change of the reserved credit. Only a reservation may answer 'limit-exceeded' (and change nothing). */
export type CreditUpdate = (tx: PoolClient, change: CreditChange) => Promise<'applied' | 'limit-exceeded'>;

/** How the credit commands read a customer's credit, and how they write a change of it. */
export interface CreditAccess {
  read(tx: PoolClient, who: { orderId: string; customerId: string }): Promise<SeenCredit | undefined>;
  write: CreditUpdate;
}

/** The pause point between a credit command's read and its write (lab 05's grader parks a command there). */
export const CREDIT_WRITE = 'credit write';

async function readCredit(tx: PoolClient, customerId: string, lock: boolean): Promise<SeenCredit | undefined> {
  const { rows } = await tx.query<{ credit_limit: number; credit_reserved: number }>(
    `SELECT credit_limit, credit_reserved FROM customers WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [customerId],
  );
  return rows[0] && { creditLimit: rows[0].credit_limit, creditReserved: rows[0].credit_reserved };
}

/**
 * Every lab but 05: the customer row is locked when it is read, so the credit changes of one customer take
 * turns (lab 03's lesson) and what was read stays true until the write; each write is an increment.
 */
export const LOCKED_INCREMENTS: CreditAccess = {
  read: (tx, { customerId }) => readCredit(tx, customerId, true),
  write: async (tx, { customerId, operation, amount, seen }) => {
    if (operation === 'reserve' && amount > seen.creditLimit - seen.creditReserved) return 'limit-exceeded';
    await tx.query('UPDATE customers SET credit_reserved = credit_reserved + $2 WHERE id = $1', [customerId, operation === 'release' ? -amount : amount]);
    return 'applied';
  },
};

/**
 * Lab 05: the read takes no lock, as a service that handles commands side by side often reads, and `write`
 * is the lab's (commutative updates). Between the two sits a pause point: the grader parks one command there
 * while another saga changes the same customer's credit, so a write computed from the read is visibly stale.
 */
export function unlockedRead(write: CreditUpdate, pauses: PausePoints): CreditAccess {
  return {
    read: async (tx, who) => {
      const seen = await readCredit(tx, who.customerId, false);
      await pauses.pause(CREDIT_WRITE, who);
      return seen;
    },
    write,
  };
}

/** The customer's credit as it is now: the figures a refused reservation reports. */
export const currentCredit = (tx: PoolClient, customerId: string) => readCredit(tx, customerId, false);
