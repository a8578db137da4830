import { randomUUID } from 'node:crypto';
import { inTransaction, type Pool } from '../../../platform/db.ts';
import { appendToOutbox } from '../../../platform/outbox/outbox.ts';
import { customerEvent } from '../messaging/events.ts';

/**
 * A customer's profile changes, each with its event in the same transaction (the outbox): a view built from
 * the events can never miss a change, nor see one that rolled back. Each answers the customer's new version:
 * a client that passes it to a view's query reads its own write (lab 07).
 */

export async function createCustomer(pool: Pool, customer: { id: string; name: string; creditLimit: number }): Promise<{ version: number }> {
  await inTransaction(pool, async (tx) => {
    await tx.query('INSERT INTO customers (id, name, credit_limit, version) VALUES ($1, $2, $3, 1)', [customer.id, customer.name, customer.creditLimit]);
    await appendToOutbox(tx, customerEvent(randomUUID(), { type: 'CustomerCreated', payload: { customerId: customer.id, name: customer.name, creditLimit: customer.creditLimit, version: 1 } }));
  });
  return { version: 1 };
}

/** Undefined when there is no such customer. */
export async function changeCreditLimit(pool: Pool, customerId: string, creditLimit: number): Promise<{ version: number } | undefined> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ version: number }>('UPDATE customers SET credit_limit = $2, version = version + 1 WHERE id = $1 RETURNING version', [customerId, creditLimit]);
    const version = rows[0]?.version;
    if (version === undefined) return undefined;
    await appendToOutbox(tx, customerEvent(randomUUID(), { type: 'CustomerCreditLimitChanged', payload: { customerId, creditLimit, version } }));
    return { version };
  });
}
