/**
 * The kit's RabbitMQ layer. Every lab imports it from here; the parts live in `messaging/`:
 * names (queue and exchange naming), envelope (what goes on the wire), topology (exchanges, retry and
 * dead-letter queues), consumer (the ack ordering), events (what tests await), and broker, the entry point,
 * with its parts: connection (reconnecting), publisher and publishing (confirmed publishing), consumer-set.
 */
export { Broker, BrokerUnavailableError, PublishManyError, connectBroker, type BrokerOptions, type ConsumeOptions, type Consumer } from './messaging/broker.ts';
export type { Handler } from './messaging/consumer.ts';
export { HEADER, routingKeyFor, type Delivered, type DeliveredFor, type OutgoingMessage, type PayloadSchema, type SchemaByType } from './messaging/envelope.ts';
export type { AckedEvent, BrokerEventMap, BrokerEventName, DeadLetteredEvent, DeadReason, NackedEvent, PublishedEvent, RetriedEvent } from './messaging/events.ts';
export { exchangeOptions, prefixed, queueNames, type QueueNames } from './messaging/names.ts';
export type { Binding, QueueSpec, Topology } from './messaging/topology.ts';
export { commandChannel, replyChannel, replyDestination, type ChannelOptions, type Destination, type MessageChannel } from './messaging/channels.ts';

// Publishing that fails loudly: a returned (unroutable) message, a late confirm.
export { ConfirmTimeoutError, DEFAULT_CONFIRM_TIMEOUT_MS, UnroutableError } from './messaging/broker.ts';
export type { ReturnedEvent } from './messaging/events.ts';
