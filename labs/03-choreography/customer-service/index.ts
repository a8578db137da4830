import path from 'node:path';
import { createPool, migrate } from '#shared/platform/db.ts';
import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { connectBroker } from '#shared/platform/messaging.ts';
import { OUTBOX_MIGRATIONS } from '#shared/platform/outbox/outbox.ts';
import { startRelay } from '#shared/platform/outbox/relay.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { customerRoutes } from './api/routes.ts';
import { CUSTOMER_EVENTS, orderEventSchemas, QUEUE, topology } from './messaging/contracts.ts';
import { handleOrderEvent } from './messaging/handlers.ts';

// Wiring only: database (with the platform's outbox tables), broker, relay, consumers, HTTP.
const logger = createLogger('customer-service');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/customers'));
await migrate(pool, [path.join(import.meta.dirname, 'db/migrations'), OUTBOX_MIGRATIONS]);
const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: 'customer-service', logger });
await broker.declareTopology(topology);
const stopRelay = startRelay(pool, broker, logger, { exchange: CUSTOMER_EVENTS });
// Several consumers on one queue handle messages side by side, as several instances of the service would:
// that is when concurrent reservations for one customer really happen.
for (let i = 0; i < Number(process.env.CONSUMERS ?? 4); i++) {
  await broker.consume(QUEUE, (message) => handleOrderEvent(pool, message), { schema: orderEventSchemas });
}
const server = await listen(createApp(logger, customerRoutes(pool)), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), stopRelay, () => broker.close(), () => pool.end()]);
