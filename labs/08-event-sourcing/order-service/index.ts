import path from 'node:path';
import { createPool, migrate } from '#shared/platform/db.ts';
import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { orderRoutes } from './api/routes.ts';
import { startProjector } from './projection/order-summary.ts';

// Wiring only. No RabbitMQ here: commands append to the event store, the publisher (publisher/index.ts, its
// own process) sends what was appended, and the projector keeps the read model in this same database.
const logger = createLogger('order-service');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/orders'));
await migrate(pool, path.join(import.meta.dirname, 'db/migrations'));
const projector = startProjector(pool, logger, Number(process.env.PROJECTOR_IDLE_MS ?? 20));
const server = await listen(createApp(logger, orderRoutes(pool, projector)), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), () => projector.stop(), () => pool.end()]);
