import { startCustomerService } from './customer.ts';

// customer-service as a saga participant (labs 04–07): it reserves and releases credit when told to, and
// publishes CustomerCreated and CustomerCreditLimitChanged through its outbox (lab 07's view reads them).
// Fault knobs: RELEASE_FAILS_TOTAL and RELEASE_FAILURES (see messaging/handlers.ts). Lab 05 starts it with
// its own credit update, from the lab's tree.
await startCustomerService();
