import { startAccounting } from './accounting.ts';
import { actAsReceived } from './domain/payment-decision.ts';

// accounting-service, a saga participant (labs 04–07): it authorizes or declines an order's payment, and
// cancels an authorization (lab 05). Fault knobs: ACCOUNTING_DECLINE_TOTAL, ACCOUNTING_HOLD_TOTAL (see
// messaging/handlers.ts). Lab 05 starts it with its own decision, from the lab's tree.
await startAccounting(actAsReceived);
