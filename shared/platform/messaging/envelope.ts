import type { ConsumeMessage, Options } from 'amqplib';
import { z } from 'zod';

/** What a service hands to `publish`: the message, before RabbitMQ sees it. */
export interface OutgoingMessage {
  /** Unique per message. Consumers deduplicate on it, so a redelivered copy keeps the same id. */
  id: string;
  /** A past-tense event (`OrderCreated`) or an imperative command (`ReserveCredit`); also the routing key. */
  type: string;
  /** Usually the aggregate id; appended to the routing key (`OrderCreated.42`). */
  key?: string;
  payload: unknown;
  headers?: Record<string, string>;
  /**
   * Replaces the routing key `routingKeyFor` would build. Rarely needed: without `<type>.` at its start, the
   * consumer cannot recover `key` from it.
   */
  routingKey?: string;
  /** The conversation it belongs to, usually the saga id. Sent as the AMQP `correlationId` property. */
  correlationId?: string;
  /** The id of the message that caused this one (the command a reply answers). Sent as a kit header. */
  causationId?: string;
  /** Where the answer goes: the base name of a reply channel (see `replyChannel`). The AMQP `replyTo` property. */
  replyTo?: string;
}

/** What a handler receives, after the consumer parsed and validated it. */
export interface Delivered<Payload = unknown, Type extends string = string> {
  id: string;
  type: Type;
  key?: string;
  payload: Payload;
  headers: Record<string, string>;
  /** 1 on the first try, 2 after one failed attempt, and so on. */
  attempt: number;
  /** RabbitMQ's flag: an earlier delivery of this copy was never acked (a consumer crashed or lost its connection). */
  redelivered: boolean;
  /** The queue's base name (without the prefix). */
  queue: string;
  /** The publishing service (the AMQP `appId` property), if it said. */
  service?: string;
  /** The conversation (saga) it belongs to, if the sender said; a reply carries the command's. */
  correlationId?: string;
  /** The id of the message that caused it, if the sender said. */
  causationId?: string;
  /** Where a reply goes, if the sender expects one: pass the message to `replyDestination`. */
  replyTo?: string;
}

/** One schema for the payload, or one per message type when a queue carries several types. */
export type SchemaByType = Record<string, z.ZodType>;
export type PayloadSchema = z.ZodType | SchemaByType;

/** The message type a handler sees for a given schema option: a union keyed on `type` for a schema map. */
export type DeliveredFor<S extends PayloadSchema | undefined> = S extends z.ZodType
  ? Delivered<z.output<S>>
  : S extends SchemaByType
    ? { [Type in keyof S & string]: Delivered<z.output<S[Type]>, Type> }[keyof S & string]
    : Delivered<unknown>;

/** Header names the kit sets. `x-kit-` keeps them apart from RabbitMQ's own `x-` headers. */
export const HEADER = {
  attempt: 'x-kit-attempt',
  error: 'x-kit-error',
  deadReason: 'x-kit-dead-reason',
  failedQueue: 'x-kit-failed-queue',
  originalExchange: 'x-kit-original-exchange',
  originalRoutingKey: 'x-kit-original-routing-key',
  /** AMQP has properties for the correlation id and the reply-to address, but none for the causation id. */
  causationId: 'x-kit-causation-id',
} as const;

/**
 * `OrderCreated` or `OrderCreated.<key>`. Bind with `OrderCreated.#` to receive both: in a topic pattern
 * `#` matches zero or more words.
 */
export function routingKeyFor(message: OutgoingMessage): string {
  if (message.routingKey !== undefined) return message.routingKey;
  return message.key === undefined ? message.type : `${message.type}.${message.key}`;
}

export function encode(message: OutgoingMessage, service: string): { content: Buffer; options: Options.Publish } {
  const options: Options.Publish = {
    // Persistent: written to disk by RabbitMQ before it confirms, so a broker restart does not lose it.
    persistent: true,
    messageId: message.id,
    type: message.type,
    // AMQP timestamps are whole seconds.
    timestamp: Math.floor(Date.now() / 1000),
    contentType: 'application/json',
    // Who published it. No headers of our own: a header table is encoded by amqplib and decoded by RabbitMQ
    // for every message, and the key is already in the routing key, the publisher in appId.
    appId: service,
  };
  if (message.correlationId !== undefined) options.correlationId = message.correlationId;
  if (message.replyTo !== undefined) options.replyTo = message.replyTo;
  // A header table only when there is a header to send: a plain event still goes without one.
  if (message.causationId !== undefined) options.headers = { ...message.headers, [HEADER.causationId]: message.causationId };
  else if (message.headers !== undefined) options.headers = message.headers;
  return { content: Buffer.from(JSON.stringify(message.payload)), options };
}

/**
 * The key back from the routing key (`OrderCreated.42` gives `42`). After a trip through the retry queue the
 * delivery's routing key is the queue's name, so the one it was first published with comes from our header.
 */
export function keyOf(type: string, routingKey: string): string | undefined {
  return routingKey.startsWith(`${type}.`) ? routingKey.slice(type.length + 1) : undefined;
}

export type Decoded<S extends PayloadSchema | undefined> =
  | { ok: true; message: DeliveredFor<S> }
  | { ok: false; id: string; type: string; error: string };

/**
 * Turns a raw delivery into a `Delivered`, or says why it is a poison message: one that no number of retries
 * could ever handle (not JSON, wrong shape, no id). The consumer dead-letters those at once.
 */
export function decode<S extends PayloadSchema | undefined>(raw: ConsumeMessage, schema: S, queue: string): Decoded<S> {
  const id: unknown = raw.properties.messageId;
  const type: unknown = raw.properties.type;
  const headers = stringHeaders(raw.properties.headers);
  const poison = (error: string): Decoded<S> => ({
    ok: false,
    id: typeof id === 'string' ? id : '(no id)',
    type: typeof type === 'string' ? type : '(no type)',
    error,
  });
  // Without an id a consumer cannot deduplicate, and without a type it cannot pick a handler.
  if (typeof id !== 'string' || id === '') return poison('the message has no messageId property');
  if (typeof type !== 'string' || type === '') return poison('the message has no type property');

  let body: unknown;
  try {
    body = JSON.parse(raw.content.toString('utf8'));
  } catch (error) {
    return poison(`the body is not valid JSON (${(error as Error).message})`);
  }

  let payload: unknown = body;
  const typeSchema = schemaFor(schema, type);
  if (typeSchema === 'unknown type') {
    return poison(`no schema for message type "${type}" (this queue expects ${Object.keys(schema ?? {}).join(', ')})`);
  }
  if (typeSchema) {
    const result = typeSchema.safeParse(body);
    if (!result.success) return poison(`the payload does not match the ${type} schema: ${z.prettifyError(result.error)}`);
    payload = result.data;
  }

  const attempt = Number(headers[HEADER.attempt] ?? '1');
  const message: Delivered<unknown> = {
    id,
    type,
    payload,
    headers,
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    redelivered: raw.fields.redelivered,
    queue,
  };
  const key = keyOf(type, headers[HEADER.originalRoutingKey] ?? raw.fields.routingKey);
  if (key !== undefined) message.key = key;
  if (typeof raw.properties.appId === 'string') message.service = raw.properties.appId;
  const { correlationId, replyTo } = raw.properties as { correlationId?: unknown; replyTo?: unknown };
  if (typeof correlationId === 'string' && correlationId !== '') message.correlationId = correlationId;
  if (typeof replyTo === 'string' && replyTo !== '') message.replyTo = replyTo;
  const causationId = headers[HEADER.causationId];
  if (causationId !== undefined && causationId !== '') message.causationId = causationId;
  return { ok: true, message: message as DeliveredFor<S> };
}

function schemaFor(schema: PayloadSchema | undefined, type: string): z.ZodType | undefined | 'unknown type' {
  if (schema === undefined) return undefined;
  if (schema instanceof z.ZodType) return schema;
  return schema[type] ?? 'unknown type';
}

/** AMQP header values can be numbers, buffers or tables; handlers get plain strings. */
export function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name === 'x-death' || value === undefined || value === null) continue;
    result[name] = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return result;
}
