import { createPool } from '#shared/platform/db.ts';
import { createLogger } from '#shared/platform/log.ts';
import { connectBroker } from '#shared/platform/messaging.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, EXCHANGE, runRelay } from './relay.ts';

// The message relay: its own process, reading order-service's outbox and publishing to RabbitMQ.
const logger = createLogger('relay');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/orders'), 6);
const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: 'relay', logger });
await broker.declareTopology({ exchanges: [EXCHANGE], queues: [] });
const stop = new AbortController();
onShutdown(logger, [() => stop.abort(), () => broker.close(), () => pool.end()]);
logger.info('ready');
await runRelay(pool, broker, logger, {
  batchSize: Number(process.env.RELAY_BATCH_SIZE ?? DEFAULT_BATCH_SIZE),
  workers: Number(process.env.RELAY_WORKERS ?? DEFAULT_WORKERS),
  idleMs: Number(process.env.RELAY_IDLE_MS ?? 20),
  retentionMs: Number(process.env.OUTBOX_RETENTION_MS ?? 60 * 60_000),
  purgeEveryMs: Number(process.env.OUTBOX_PURGE_EVERY_MS ?? 60_000),
  signal: stop.signal,
});
