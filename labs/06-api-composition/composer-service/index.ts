import { createApp, listen } from '#shared/platform/http.ts';
import { createLogger } from '#shared/platform/log.ts';
import { onShutdown, requireEnv } from '#shared/platform/shutdown.ts';
import { composerRoutes } from './api/routes.ts';
import { guardProvider, type ResilienceSettings } from './compose/resilience.ts';
import { providerClients } from './providers/clients.ts';

// Wiring only: configuration in, parts connected, nothing decided here. The composer has no database: every
// answer is made from the providers' answers.
const logger = createLogger('composer-service');
const settings: ResilienceSettings = {
  timeoutMs: Number(process.env.PROVIDER_TIMEOUT_MS ?? 1_000),
  retries: Number(process.env.PROVIDER_RETRIES ?? 2),
  breakerFailures: Number(process.env.BREAKER_FAILURES ?? 5),
  halfOpenAfterMs: Number(process.env.BREAKER_HALF_OPEN_MS ?? 5_000),
};
const deadlineMs = Number(process.env.COMPOSE_DEADLINE_MS ?? 2_500);
const clients = providerClients({
  order: requireEnv('ORDER_SERVICE_URL', 'http://127.0.0.1:3201'),
  customer: requireEnv('CUSTOMER_SERVICE_URL', 'http://127.0.0.1:3202'),
  kitchen: requireEnv('KITCHEN_SERVICE_URL', 'http://127.0.0.1:3203'),
  accounting: requireEnv('ACCOUNTING_SERVICE_URL', 'http://127.0.0.1:3204'),
});
const guards = {
  order: guardProvider('order', settings),
  customer: guardProvider('customer', settings),
  kitchen: guardProvider('kitchen', settings),
  accounting: guardProvider('accounting', settings),
};
const server = await listen(createApp(logger, composerRoutes({ clients, guards }, deadlineMs)), logger, Number(process.env.PORT ?? 0));
onShutdown(logger, [() => new Promise((resolve) => server.close(resolve))]);
