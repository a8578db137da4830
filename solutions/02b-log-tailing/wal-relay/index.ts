import { createPool } from '#shared/platform/db.ts';
import { createLogger } from '#shared/platform/log.ts';
import { connectBroker } from '#shared/platform/messaging.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { ensurePublicationAndSlot, slotNameFor } from './setup.ts';
import { EXCHANGE, runWalRelay } from './wal-relay.ts';

// The log-tailing relay: its own process, reading order-service's outbox inserts from the write-ahead log.
const logger = createLogger('wal-relay');
const databaseUrl = requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/orders');
const pool = createPool(databaseUrl, 2);
const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: 'wal-relay', logger });
await broker.declareTopology({ exchanges: [EXCHANGE], queues: [] });
const slot = slotNameFor(databaseUrl);
await ensurePublicationAndSlot(pool, slot);
const stop = new AbortController();
onShutdown(logger, [() => stop.abort(), () => broker.close(), () => pool.end()]);
let ready = false;
await runWalRelay(pool, broker, logger, {
  databaseUrl,
  slot,
  retentionMs: Number(process.env.OUTBOX_RETENTION_MS ?? 60 * 60_000),
  purgeEveryMs: Number(process.env.OUTBOX_PURGE_EVERY_MS ?? 60_000),
  standbyRetryMs: Number(process.env.RELAY_STANDBY_RETRY_MS ?? 500),
  signal: stop.signal,
  onReady: () => {
    if (!ready) logger.info({ slot }, 'ready');
    ready = true;
  },
});
