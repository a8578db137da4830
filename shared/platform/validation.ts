import { z } from 'zod';

/**
 * Schema pieces that agree with the PostgreSQL columns behind them. A value a schema accepts must be one the
 * database stores as it is; otherwise the database refuses it after validation said yes, and the client gets
 * a 500 (or a consumer dead-letters an event the API accepted) instead of a 400 naming the field.
 * Services and the contracts they parse share these pieces, so the API and its consumers cannot drift apart.
 */

/** The largest value of PostgreSQL's `integer` (int4): a number one past it is refused on INSERT. */
export const PG_INTEGER_MAX = 2_147_483_647;

/** An amount of money in cents, more than zero, as stored in an `integer` column (`total`, `amount`). */
export const money = z.number().int().positive().max(PG_INTEGER_MAX);

/** Money that may be zero, in an `integer` column (`credit_limit`). */
export const moneyOrZero = z.number().int().nonnegative().max(PG_INTEGER_MAX);

/**
 * A uuid as RFC 9562 writes it (36 characters with dashes). PostgreSQL accepts more spellings (no dashes,
 * braces); refusing them here keeps ids comparable as strings across services.
 */
export const uuid = z.uuid();

/**
 * Text PostgreSQL can store unchanged: no NUL character (a `text` column refuses it) and no lone surrogate
 * (it has no UTF-8 form, so it would be stored as U+FFFD and read back different). `max` counts UTF-16 units.
 */
export function text(max: number) {
  return z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'must not contain the NUL character (\\u0000), which PostgreSQL cannot store')
    .refine((value) => !/[\ud800-\udfff]/u.test(value), 'must be valid Unicode (it has a lone surrogate, which has no UTF-8 form)');
}

/** A person's or a thing's name: not empty, at most 200 characters. */
export const name = text(200).min(1);
