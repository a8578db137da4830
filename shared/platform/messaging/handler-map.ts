/**
 * A service handles its incoming messages through a map with one entry per message type of its contract,
 * instead of an `if/else` on `message.type`. The map's type lists every type of the union, so a type added to
 * the contract without a handler is a compile error, not a message that falls silently into an `else` written
 * for another type.
 *
 *   const handle = dispatch<OrderEvent, PoolClient>({
 *     OrderCreated: (message, tx) => reserveCredit(tx, message.payload),   // message is the OrderCreated member
 *     OrderCancelled: (message, tx) => releaseCredit(tx, message.payload),
 *   });
 *   await handle(message, tx);
 */

/**
 * One handler for each member of the union `M`, keyed by its `type`; each handler sees its own member, so
 * its payload is typed. `Context` is passed along to every handler (a transaction, say), and `Result` is what
 * each one returns (by default a promise of nothing).
 */
export type HandlerMap<M extends { type: string }, Context = void, Result = Promise<void>> = {
  readonly [Type in M['type']]: (message: Extract<M, { type: Type }>, context: Context) => Result;
};

/** Turns a complete map into one function that hands each message to the handler for its type. */
export function dispatch<M extends { type: string }, Context = void, Result = Promise<void>>(handlers: HandlerMap<M, Context, Result>): (message: M, context: Context) => Result {
  return (message, context) => {
    // The compiler already saw a handler for every type of the contract. This check is for a message it
    // could not see: one cast into the union, or a schema map wider than the union. `hasOwn`, so that a type
    // named like an Object method (`toString`) is not mistaken for a handler.
    if (!Object.hasOwn(handlers, message.type)) {
      throw new Error(`no handler for message type "${message.type}" (this map handles ${Object.keys(handlers).join(', ')})`);
    }
    const handler = handlers[message.type as M['type']] as (message: M, context: Context) => Result;
    return handler(message, context);
  };
}
