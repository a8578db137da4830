import path from 'node:path';
import { createPool, migrate } from '#shared/platform/db.ts';
import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { ORDER_CHANGES_MIGRATIONS } from '#shared/platform/long-poll/long-poll.ts';
import { connectBroker } from '#shared/platform/messaging.ts';
import { OUTBOX_MIGRATIONS } from '#shared/platform/outbox/outbox.ts';
import { startRelay } from '#shared/platform/outbox/relay.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { orderRoutes } from './api/routes.ts';
import { customerEventSchemas, ORDER_EVENTS, QUEUE, topology } from './messaging/contracts.ts';
import { handleCustomerEvent } from './messaging/handlers.ts';

// Wiring only: database (with the platform's outbox tables), broker, relay, consumer, HTTP.
const logger = createLogger('order-service');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/orders'));
await migrate(pool, [path.join(import.meta.dirname, 'db/migrations'), OUTBOX_MIGRATIONS, ORDER_CHANGES_MIGRATIONS]);
const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: 'order-service', logger });
await broker.declareTopology(topology);
const stopRelay = startRelay(pool, broker, logger, { exchange: ORDER_EVENTS });
await broker.consume(QUEUE, (message) => handleCustomerEvent(pool, message), { schema: customerEventSchemas });
const server = await listen(createApp(logger, orderRoutes(pool)), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), stopRelay, () => broker.close(), () => pool.end()]);
