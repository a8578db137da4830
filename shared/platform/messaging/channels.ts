import type { Delivered } from './envelope.ts';
import type { Topology } from './topology.ts';

/**
 * Command/reply messaging (lab 04's orchestrator on). An event is published to its publisher's exchange for
 * whoever subscribes; a command is *sent* to one service, and its reply back to the one saga that asked. Both
 * travel on channels named here, so a sender and a receiver never spell a name twice.
 *
 * A channel is one topic exchange and one queue of the same base name, bound with `#`: the routing key stays
 * the usual `<type>.<key>` (so the consumer gets `message.key` back, and a service could bind per type), and
 * sending to a channel means publishing to its exchange. Names are base names, prefixed by the Broker like
 * every other name (see names.ts).
 */

/** Where a message goes: an exchange (base name) and, rarely, a routing key other than `<type>.<key>`. */
export interface Destination {
  exchange: string;
  routingKey?: string;
}

export interface MessageChannel {
  /** The base name of the channel's exchange and queue. A command's `replyTo` is its reply channel's name. */
  name: string;
  /** What a sender gives the outbox (`destination`), or the exchange it passes to `publish`. */
  destination: Destination;
  /** The queue the receiver consumes (`broker.consume(channel.queue, ...)`). */
  queue: string;
  /** The exchange, the queue (with its retry and dead-letter queues) and the binding: `broker.declareTopology`. */
  topology: Topology;
}

/** The queue's retry settings. Queue arguments are fixed when a queue is created: every side must pass the same. */
export interface ChannelOptions {
  retryDelayMs?: number;
  maxAttempts?: number;
}

/**
 * The channel a service takes its commands from: `customer-service.commands`. Both sides declare its
 * topology, the receiver to consume and the sender before it sends, so a command sent while the receiver has
 * never run waits in the queue instead of finding no queue to go to.
 */
export function commandChannel(service: string, options: ChannelOptions = {}): MessageChannel {
  return channel(`${checkedName('service', service)}.commands`, options);
}

/**
 * The channel where one kind of saga of one service gets its replies: `order-service.create-order-saga.replies`.
 * Only that service declares it (before sending the first command); a participant learns it from the
 * command's `replyTo` and sends the reply to `replyDestination(command)`.
 */
export function replyChannel(service: string, saga: string, options: ChannelOptions = {}): MessageChannel {
  return channel(`${checkedName('service', service)}.${checkedName('saga', saga)}.replies`, options);
}

/** Where the reply to `command` goes: the reply channel named in its `replyTo`. */
export function replyDestination(command: Pick<Delivered, 'id' | 'type' | 'replyTo'>): Destination {
  if (command.replyTo === undefined) {
    throw new Error(`${command.type} ${command.id} has no replyTo: its sender expects no reply (give the command a replyTo when you send it)`);
  }
  return { exchange: command.replyTo };
}

function channel(name: string, options: ChannelOptions): MessageChannel {
  return {
    name,
    destination: { exchange: name },
    queue: name,
    topology: { exchanges: [name], queues: [{ name, bindings: [{ exchange: name, pattern: '#' }], ...options }] },
  };
}

/** Dots separate the parts of a channel name, so a part must not contain one (nor `#` or `*`, topic wildcards). */
function checkedName(what: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    throw new Error(`a channel's ${what} name must be letters, digits, "-" and "_" (like customer-service), got "${name}"`);
  }
  return name;
}
