import type { Express } from 'express';
import { createPool, migrate, type Pool } from '../../platform/db.ts';
import { createApp, listen } from '../../platform/http.ts';
import { createLogger } from '../../platform/log.ts';
import { OUTBOX_MIGRATIONS } from '../../platform/outbox/outbox.ts';
import { onShutdown, requireEnv } from '../../platform/shutdown.ts';

export interface ReadProviderSpec {
  /** `kitchen-service`: in logs; its default database is `kitchen`. */
  name: string;
  /** The service's own migrations: the read side queries the very tables the saga participant writes. */
  migrations: string;
  routes: (pool: Pool) => (app: Express) => void;
}

/**
 * A service's query API alone: its database and HTTP on 127.0.0.1, with no broker and no relay. Lab 06 composes
 * answers from these providers over HTTP; how the rows got there (a saga, or a grader seeding them) does not
 * matter to a reader, so the command side is not started.
 */
export async function startReadProvider(spec: ReadProviderSpec): Promise<void> {
  const logger = createLogger(spec.name);
  const pool = createPool(requireEnv('DATABASE_URL', `postgres://postgres@127.0.0.1:5432/${spec.name.replace('-service', '')}`));
  // The outbox's table too: routes a provider shares with its command side (customer-service's POST /customers)
  // write their event in the same transaction (lab 07). No relay runs here, so those rows stay unread.
  await migrate(pool, [spec.migrations, OUTBOX_MIGRATIONS]);
  const server = await listen(createApp(logger, spec.routes(pool)), logger, Number(process.env.PORT ?? 0));
  onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), () => pool.end()]);
}
