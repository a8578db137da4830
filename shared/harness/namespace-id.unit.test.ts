import { describe, expect, test } from 'vitest';
import { newNamespaceId, parseNamespaceName } from './namespace-id.ts';

const madeAt = new Date('2026-11-30T10:05:12.345Z');

describe('namespace ids', () => {
  test('when an id is made, then it carries the lab, the UTC time to the second and the random part, in lower case', () => {
    expect(newNamespaceId('02B-log', madeAt, '3f9a2c')).toBe('kit_02blog_20261130t100512_3f9a2c');
  });

  test('when a database or RabbitMQ name of a namespace is parsed, then the id and the time it was made come back', () => {
    const id = newNamespaceId('02', madeAt, '3f9a2c');
    const expected = { id, createdAt: new Date('2026-11-30T10:05:12Z') };
    expect(parseNamespaceName(`${id}_customers`)).toEqual(expected);
    expect(parseNamespaceName(`${id}.order-events`)).toEqual(expected);
    expect(parseNamespaceName(`${id}.billing.dead`)).toEqual(expected);
    expect(parseNamespaceName(id)).toEqual(expected);
  });

  test('when the lab part itself has underscores, then the stamp still anchors the id', () => {
    const id = newNamespaceId('my_lab', madeAt, 'abcdef');
    expect(parseNamespaceName(`${id}_orders`)?.id).toBe(id);
  });

  test('when a name has no stamp (an older id, or not a test namespace at all), then it is not taken for one', () => {
    // Never guess the age of these: a sweep must leave alone what it cannot date.
    expect(parseNamespaceName('kit_02_3f9a2c_customers')).toBeUndefined();
    expect(parseNamespaceName('kit_02_3f9a2c.order-events')).toBeUndefined();
    expect(parseNamespaceName('ftgo.order-events')).toBeUndefined();
    expect(parseNamespaceName('kit_02_20261130t100512_3f9a2cx.orders')).toBeUndefined();
    expect(parseNamespaceName('kit_02_20261399t100512_3f9a2c.orders')).toBeUndefined();
  });
});
