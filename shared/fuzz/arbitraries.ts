import fc from 'fast-check';

/**
 * Generators of hostile input for the route fuzzer. Each one mixes plausible values (so that requests get past
 * validation often enough to reach the database and the broker) with the values that broke the labs before:
 * numbers past a column's range, strings PostgreSQL cannot store, ids that are not uuids.
 */

/** Numbers around every boundary a column or a schema has: int4, safe integers, floats, signs. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 63, 1e21, 1e308),
  fc.constantFrom(0.5, 1.5, 99.99, 1e-7, Number.MIN_VALUE, Number.EPSILON, -1.5),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Strings a careless schema lets through: NUL bytes, lone surrogates, numbers in quotes, huge ones, unicode. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', 'NaN', 'Infinity', '-1', '1e999', '0x10', 'null', 'true', '%E0%A4%A'),
  fc.constantFrom('x'.repeat(201), 'é'.repeat(5_000), '😀'.repeat(3_000), "'; DROP TABLE customers; --"),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** Ids that look like uuids and are not, and uuids of every version and case. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid().map((id) => id.replaceAll('-', '')), // PostgreSQL accepts this spelling; the schemas do not
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => `${id} `),
  fc.uuid().map((id) => `${id}\u0000`),
  fc.uuid().map((id) => id.slice(0, 35)),
  fc.uuid().map((id) => `${id.slice(0, 35)}g`),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'not-a-uuid', '1', '-1'),
);

/** Anything JSON can carry, weighted towards the hostile scalars above. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileNumber },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileId },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/**
 * A JSON object with the route's fields: each field present or missing, each value either plausible for the
 * field or hostile, plus now and then a field the route does not know.
 */
export function hostileObject(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const record = Object.fromEntries(
    Object.entries(fields).map(([name, plausible]) => [name, fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: hostileValue })]),
  );
  return fc
    .tuple(fc.record(record, { requiredKeys: [] }), fc.option(fc.dictionary(fc.string({ maxLength: 10 }), hostileValue, { maxKeys: 2 }), { freq: 4 }))
    .map(([known, extra]) => ({ ...(extra ?? {}), ...known }));
}

/** A request body: mostly an object of the route's fields, sometimes not an object, not JSON or too big. */
export type Body = { json: unknown } | { raw: string };

export function hostileBody(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 12, arbitrary: hostileObject(fields).map((json) => ({ json })) },
    { weight: 1, arbitrary: hostileValue.map((json) => ({ json })) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('{not json', '{"total": 1e999}', '{"total": NaN}', '{"a":1,}', '', '[', '"\\ud800"', '{"name": "\\u0000"}', `{"name":"${'x'.repeat(120_000)}"}`),
        fc.string({ maxLength: 20 }),
      ).map((raw) => ({ raw })),
    },
  );
}

/**
 * One path segment for a `:id` parameter: a known id, a uuid nobody has, a hostile id percent-encoded (so it
 * arrives intact), or a malformed percent sequence express cannot decode. Never empty and never a dot
 * segment: a URL parser rewrites those into another route.
 */
export function hostileSegment(known: () => string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((n) => known()[n % Math.max(known().length, 1)] ?? 'none-known-yet') },
    { weight: 2, arbitrary: fc.uuid() },
    // A lone surrogate has no UTF-8 form to percent-encode: it becomes U+FFFD first.
    { weight: 3, arbitrary: fc.oneof(hostileId, hostileString).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/gu, '\ufffd'))) },
    { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%', '%zz', '%C0%80', '%FF', `${'%E0%A4%A'}${'a'.repeat(40)}`, '%00') },
  ).filter((segment) => segment !== '' && !/^(\.|%2e){1,2}$/i.test(segment));
}
