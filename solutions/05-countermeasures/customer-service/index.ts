import { startCustomerService } from '#shared/participants/customer-service/customer.ts';
import { updateCredit } from './db/credit-update.ts';

// customer-service as every lab runs it (shared/participants), with lab 05's write of the reserved credit
// from this tree: how a reservation, a release and a reinstatement change it.
await startCustomerService(updateCredit);
