/**
 * What accounting does with a payment command, decided from its version file (lab 05): every operation it
 * received for the order before this one, oldest first. Pure, so lab 05's learner writes it and tests it
 * without a database.
 */
export type PaymentOperation = 'authorize' | 'cancel';

/** `authorize`: hold the money; `cancel`: release what is held; `nothing`: the command changes nothing. */
export type PaymentEffect = 'authorize' | 'cancel' | 'nothing';

export type PaymentDecision = (file: readonly PaymentOperation[], incoming: PaymentOperation) => PaymentEffect;

/**
 * Each command does what it says, whatever came before it: what accounting did before lab 05. In order,
 * that is right; when a cancel overtakes the authorization it cancels, it leaves money held for a cancelled
 * order. Lab 05's version file is the fix.
 */
export const actAsReceived: PaymentDecision = (_file, incoming) => incoming;
