import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '#shared/platform/db.ts';
import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { connectBroker } from '#shared/platform/messaging.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { crashPoints } from '#shared/platform/crash-points.ts';
import { EXCHANGE, publishBatch } from './publish.ts';

// The publisher: its own process, reading order-service's event store and publishing it to RabbitMQ. Wiring
// only, plus the grader's crash points (armed over HTTP, never outside a grader).
const logger = createLogger('publisher');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/orders'), 3);
const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: 'publisher', logger });
await broker.declareTopology({ exchanges: [EXCHANGE], queues: [] });
const crash = crashPoints(['before-publish', 'after-publish']);
const publisher = {
  async publishMany(...args: Parameters<typeof broker.publishMany>) {
    crash.reached('before-publish');
    await broker.publishMany(...args);
    crash.reached('after-publish');
  },
};
const status = { batches: 0, published: 0, lastError: null as string | null };
const server = await listen(
  createApp(logger, (app) => {
    crash.mount(app);
    app.get('/admin/status', (_req, res) => void res.json(status));
  }),
  logger,
  Number(process.env.PORT ?? 0),
);
const stop = new AbortController();
onShutdown(logger, [() => stop.abort(), () => new Promise((resolve) => server.close(resolve)), () => broker.close(), () => pool.end()]);
const idleMs = Number(process.env.PUBLISHER_IDLE_MS ?? 20);
while (!stop.signal.aborted) {
  try {
    const published = await publishBatch(pool, publisher, Number(process.env.PUBLISHER_BATCH_SIZE ?? 200));
    status.batches += 1;
    status.published += published;
    status.lastError = null;
    if (published === 0) await sleep(idleMs, undefined, { signal: stop.signal }).catch(() => {});
  } catch (error) {
    // RabbitMQ down, a message returned unroutable, the database gone: the checkpoint did not move, so the
    // same events go out on the next try.
    status.lastError = (error as Error).message;
    logger.warn({ err: error }, 'publish batch failed; retrying');
    await sleep(250, undefined, { signal: stop.signal }).catch(() => {});
  }
}
