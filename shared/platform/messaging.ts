/**
 * The kit's RabbitMQ layer. Every lab imports it from here; the parts live in `messaging/`:
 * names (queue and exchange naming), envelope (what goes on the wire), topology (exchanges, retry and
 * dead-letter queues), consumer (the ack ordering), events (what tests await), broker (connection, publishing).
 */
export { Broker, BrokerUnavailableError, PublishManyError, connectBroker, type BrokerOptions, type ConsumeOptions, type Consumer } from './messaging/broker.ts';
export type { Handler } from './messaging/consumer.ts';
export { HEADER, routingKeyFor, type Delivered, type DeliveredFor, type OutgoingMessage, type PayloadSchema, type SchemaByType } from './messaging/envelope.ts';
export type { AckedEvent, BrokerEventMap, BrokerEventName, DeadLetteredEvent, DeadReason, NackedEvent, PublishedEvent, RetriedEvent } from './messaging/events.ts';
export { exchangeOptions, prefixed, queueNames, type QueueNames } from './messaging/names.ts';
export type { Binding, QueueSpec, Topology } from './messaging/topology.ts';
export { commandChannel, replyChannel, replyDestination, type ChannelOptions, type Destination, type MessageChannel } from './messaging/channels.ts';
