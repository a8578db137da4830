import path from 'node:path';
import { createPool, migrate } from '#shared/platform/db.ts';
import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { viewRoutes } from './api/routes.ts';
import { ViewProjection } from './projector/view.ts';

// Wiring only: the view's own database, the projection reading every log, HTTP for the queries.
const logger = createLogger('order-history-service');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/order_history'));
await migrate(pool, path.join(import.meta.dirname, 'db/migrations'));
const view = await ViewProjection.start({ pool, logger, amqpUrl: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo' });
const server = await listen(createApp(logger, viewRoutes(pool, view)), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), () => view.stop(), () => pool.end()]);
