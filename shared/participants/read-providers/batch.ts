import { z } from 'zod';
import { uuid } from '../../platform/validation.ts';

/** The most ids one batch request may name: a composer splits a longer list. */
export const BATCH_MAX = 100;

/**
 * A batch query's ids, as a client writes them in the URL: `?orderIds=<uuid>,<uuid>`. A batch endpoint lets a
 * composer fetch the rows of many orders in one round trip instead of one request per order.
 */
export function idList(field: string) {
  return z.object({
    [field]: z
      .string()
      .transform((raw) => raw.split(',').filter((id) => id !== ''))
      .pipe(z.array(uuid).min(1).max(BATCH_MAX)),
  });
}
