import { startAccounting } from '#shared/participants/accounting-service/accounting.ts';
import { decidePayment } from './domain/version-file.ts';

// accounting-service as every lab runs it (shared/participants), with lab 05's decision from this tree:
// what a payment command does, read from the order's version file.
await startAccounting(decidePayment);
