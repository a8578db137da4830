import path from 'node:path';
import { createPool, migrate } from '#shared/platform/db.ts';
import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { connectBroker } from '#shared/platform/messaging.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { customerRoutes } from './api/routes.ts';
import { purgeProcessed } from './db/customers.ts';
import { ORDER_EVENTS_QUEUE, orderEventSchemas, topology } from './messaging/contracts.ts';
import { handleOrderEvent } from './messaging/handlers.ts';

// Wiring only: database, HTTP API, and the consumer of order events.
const logger = createLogger('customer-service');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/customers'));
await migrate(pool, path.join(import.meta.dirname, 'db/migrations'));
const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: 'customer-service', logger });
await broker.declareTopology(topology);
// The platform's consumer parses each message with these schemas (an invalid one goes to the dead-letter
// queue), calls the handler, and acks only after the handler's promise resolved.
await broker.consume(ORDER_EVENTS_QUEUE, (message) => handleOrderEvent(pool, message), { schema: orderEventSchemas, prefetch: 20 });

const retentionMs = Number(process.env.PROCESSED_RETENTION_MS ?? 24 * 60 * 60_000);
const purge = setInterval(() => void purgeProcessed(pool, retentionMs).catch(() => {}), Number(process.env.PROCESSED_PURGE_EVERY_MS ?? 60_000));
const server = await listen(createApp(logger, customerRoutes(pool)), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => clearInterval(purge), () => new Promise((resolve) => server.close(resolve)), () => broker.close(), () => pool.end()]);
