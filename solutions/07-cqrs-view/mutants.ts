import { defineMutants } from '#shared/harness/mutants.ts';

export default defineMutants([
  {
    id: 'counts-every-event',
    note: 'is not idempotent: adds the order to its customer’s count and total for every order event, so a redelivered event counts it again',
    file: 'order-history-service/domain/projection.ts',
    replace: [{ from: 'const counted = before.customerId === null ? {', to: 'const counted = true ? {' }],
  },
  {
    id: 'trusts-arrival-order',
    note: 'trusts arrival order: applies an order event’s state whatever its version, so an OrderCreated arriving after OrderApproved puts the order back to APPROVAL_PENDING',
    file: 'order-history-service/domain/projection.ts',
    replace: [{ from: '  if (e.version > before.versions.order) {', to: '  {' }],
  },
  {
    id: 'switch-before-caught-up',
    note: 'switches to the rebuilt generation as soon as it applied something, before it caught up with the live one',
    file: 'order-history-service/domain/rebuild.ts',
    replace: [{ from: '  return logs.every((log) => (rebuilt[log] ?? -1) >= (live[log] ?? -1));', to: '  return Object.keys(rebuilt).length > 0;' }],
  },
  {
    id: 'creation-overwrites-limit',
    note: 'lets a late CustomerCreated overwrite the credit limit of a newer CustomerCreditLimitChanged',
    file: 'order-history-service/domain/projection.ts',
    replace: [{ from: 'return { customer: e.version > customer.version ? { ...named, creditLimit: e.creditLimit, version: e.version } : named };', to: 'return { customer: { ...named, creditLimit: e.creditLimit, version: Math.max(e.version, customer.version) } };' }],
  },
  {
    id: 'rebuild-from-next',
    note: 'starts a new generation at the log’s end (`next`) instead of its first entry, so a rebuild replays no history',
    file: 'order-history-service/domain/rebuild.ts',
    replace: [{ from: "  return lastApplied === undefined ? 'first' : lastApplied + 1;", to: "  return lastApplied === undefined ? ('next' as unknown as 'first') : lastApplied + 1;" }],
  },
]);
