import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, migrate } from '../../platform/db.ts';
import { createApp, listen } from '../../platform/http.ts';
import { createLogger } from '../../platform/log.ts';
import { connectBroker } from '../../platform/messaging.ts';
import { declareEventLog } from '../../platform/messaging/event-log.ts';
import { OUTBOX_MIGRATIONS } from '../../platform/outbox/outbox.ts';
import { startRelay } from '../../platform/outbox/relay.ts';
import { onShutdown, requireEnv } from '../../platform/shutdown.ts';
import { totalKnob } from '../answers.ts';
import { flowRoutes } from './api/routes.ts';
import { advanceOrders } from './db/flow.ts';
import { LOGS, PUBLISHERS } from './messaging/events.ts';

// A stand-in for the Create Order saga's services when only their events matter (lab 07's view reads them):
// an order placed here lives the life lab 04's saga gives it, one event per transaction, each to the log of
// the service that would publish it (order-, kitchen- and accounting-service). Lab 04 is where the saga
// itself is built; a view must not depend on a learner's lab 04.
// Fault knob ORDER_FLOW_DECLINE_TOTAL (order totals): such orders have their payment declined, then are rejected.
const logger = createLogger('order-flow-service');
const pool = createPool(requireEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/order_flow'));
await migrate(pool, [path.join(import.meta.dirname, 'db/migrations'), OUTBOX_MIGRATIONS]);
const amqpUrl = requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const prefix = process.env.KIT_PREFIX ?? 'ftgo';
for (const publisher of Object.values(PUBLISHERS)) await declareEventLog(amqpUrl, prefix, publisher);
const broker = await connectBroker({ url: amqpUrl, prefix, service: 'order-flow-service', logger });
const stopRelay = startRelay(pool, broker, logger, { exchange: LOGS.order.exchange });

const stopping = new AbortController();
const advancing = (async () => {
  while (!stopping.signal.aborted) {
    const moved = await advanceOrders(pool).catch((error: unknown) => {
      logger.warn({ err: error }, 'advancing orders failed; retrying');
      return 0;
    });
    if (moved === 0) await sleep(10, undefined, { signal: stopping.signal }).catch(() => {});
  }
})();

const server = await listen(createApp(logger, flowRoutes(pool, totalKnob('ORDER_FLOW_DECLINE_TOTAL'))), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => new Promise((resolve) => server.close(resolve)), () => (stopping.abort(), advancing), stopRelay, () => broker.close(), () => pool.end()]);
