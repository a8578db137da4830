import type { Express } from 'express';
import { createPool, migrate, type Pool } from '../platform/db.ts';
import { createApp, listen } from '../platform/http.ts';
import { createLogger, type Logger } from '../platform/log.ts';
import { commandChannel, connectBroker, type DeliveredFor, type SchemaByType } from '../platform/messaging.ts';
import { OUTBOX_MIGRATIONS } from '../platform/outbox/outbox.ts';
import { startRelay } from '../platform/outbox/relay.ts';
import { onShutdown, requireEnv } from '../platform/shutdown.ts';
import { HELD_REPLIES_MIGRATIONS, heldRepliesRoute } from './answers.ts';

export interface ParticipantSpec<S extends SchemaByType> {
  /** `kitchen-service`: its command channel is `kitchen-service.commands`. */
  name: string;
  /** Its own numbered migrations; the outbox's and the held replies' are added. */
  migrations: string;
  /** One zod schema per command type it accepts. */
  commands: S;
  handle: (pool: Pool, command: DeliveredFor<S>) => Promise<void>;
  routes: (pool: Pool) => (app: Express) => void;
  /** Commands handled at once, never two of one order at once (default 1: one after the other). */
  concurrency?: number;
}

/**
 * The wiring every participant of the orchestrated sagas shares (labs 04–07): its own database with the
 * outbox, the relay, one consumer on its command channel, and HTTP on 127.0.0.1. Participants have no events
 * exchange of their own: they only answer, on the reply channel each command names.
 */
export async function startParticipant<S extends SchemaByType>(spec: ParticipantSpec<S>): Promise<{ pool: Pool; logger: Logger }> {
  const logger = createLogger(spec.name);
  const pool = createPool(requireEnv('DATABASE_URL', `postgres://postgres@127.0.0.1:5432/${spec.name.replace('-service', '')}`));
  await migrate(pool, [spec.migrations, OUTBOX_MIGRATIONS, HELD_REPLIES_MIGRATIONS]);
  const broker = await connectBroker({ url: requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), prefix: process.env.KIT_PREFIX ?? 'ftgo', service: spec.name, logger });
  const commands = commandChannel(spec.name);
  await broker.declareTopology(commands.topology);
  // Every outbox row here is a reply with its own destination; the default exchange is never used.
  const stopRelay = startRelay(pool, broker, logger, { exchange: commands.name });
  await broker.consume(commands.queue, (command) => spec.handle(pool, command), { schema: spec.commands, ...(spec.concurrency ? { concurrency: spec.concurrency } : {}) });
  const server = await listen(
    createApp(logger, (app) => {
      spec.routes(pool)(app);
      heldRepliesRoute(pool)(app);
    }),
    logger,
    Number(process.env.PORT ?? 0),
  );
  onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), stopRelay, () => broker.close(), () => pool.end()]);
  return { pool, logger };
}
