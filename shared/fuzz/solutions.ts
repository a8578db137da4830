import path from 'node:path';
import amqp from 'amqplib';
import { freePort, startService, type RunningService } from '#shared/harness/child-service.ts';
import { REPO_ROOT } from '#shared/harness/mutants.ts';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';
import { HEADER } from '#shared/platform/messaging/envelope.ts';

/**
 * The reference solutions of labs 01–03, started as real processes in a namespace of their own: the fuzzer
 * attacks what a learner is told is right. (Graders start the tree under test; the fuzzer always the solution.)
 */
export interface RunningLab {
  ns: Namespace;
  ports: { order: number; customer: number };
  services: RunningService[];
  /** The dead-letter queues of the lab's consumers: an accepted order's event must never end in one. */
  deadLetterQueues: string[];
  stop(): Promise<void>;
}

type Lab = '01-sync-mesh' | '02-outbox' | '03-choreography';

export async function startSolution(lab: Lab): Promise<RunningLab> {
  const dir = path.join(REPO_ROOT, 'solutions', lab);
  const ns = await createNamespace(`fz${lab.slice(0, 2)}`);
  const [orders, customers] = await Promise.all([ns.createDatabase('orders'), ns.createDatabase('customers')]);
  const ports = { order: await freePort(), customer: await freePort() };
  const broker = { AMQP_URL: ns.amqpUrl, KIT_PREFIX: ns.id };
  const service = (name: string, env: Record<string, string>, entry = `${name}/index.ts`, readyMessage?: string) =>
    startService({ name, entry: path.join(dir, entry), env, ...(readyMessage ? { readyMessage } : {}) });

  const services: RunningService[] = [];
  const stop = async () => {
    await Promise.all(services.map((s) => s.kill()));
    await ns.drop();
  };
  try {
    const orderEnv: Record<string, string> = { DATABASE_URL: orders, PORT: String(ports.order) };
    if (lab === '01-sync-mesh') {
      orderEnv.CUSTOMER_SERVICE_URL = `http://127.0.0.1:${ports.customer}`;
      // A slow answer on a busy machine would be a 503 by design (lab 01's lesson), not a validation hole.
      orderEnv.CUSTOMER_TIMEOUT_MS = '10000';
    }
    if (lab === '03-choreography') Object.assign(orderEnv, broker);
    const started = await Promise.allSettled([
      service('customer-service', { DATABASE_URL: customers, PORT: String(ports.customer), ...(lab === '01-sync-mesh' ? {} : broker) }),
      service('order-service', orderEnv),
      ...(lab === '02-outbox' ? [service('relay', { DATABASE_URL: orders, ...broker }, 'relay/index.ts', 'ready')] : []),
    ]);
    for (const result of started) if (result.status === 'fulfilled') services.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stop();
    throw error;
  }
  const deadLetterQueues = {
    '01-sync-mesh': [],
    '02-outbox': ['customer-service.order-events.dead'],
    '03-choreography': ['customer-service.order-events.dead', 'order-service.customer-events.dead'],
  }[lab].map((queue) => `${ns.id}.${queue}`);
  return { ns, ports, services, deadLetterQueues, stop };
}

/**
 * Each dead-letter queue's message count now (a passive declare: exact, unlike the management API's
 * statistics), with why its first messages were dead-lettered: they are looked at, not taken.
 */
export async function deadLettered(lab: RunningLab): Promise<Record<string, { count: number; why: string[] }>> {
  const connection = await amqp.connect(lab.ns.amqpUrl);
  try {
    const channel = await connection.createChannel();
    const found: Record<string, { count: number; why: string[] }> = {};
    for (const queue of lab.deadLetterQueues) {
      const { messageCount } = await channel.checkQueue(queue);
      const why: string[] = [];
      for (let i = 0; i < Math.min(messageCount, 3); i++) {
        const message = await channel.get(queue);
        if (!message) break;
        const headers = message.properties.headers ?? {};
        why.push(`${String(headers[HEADER.deadReason])}: ${String(headers[HEADER.error]).slice(0, 200)} (${message.content.toString().slice(0, 200)})`);
      }
      found[queue] = { count: messageCount, why };
    }
    // Closing the channel returns the unacknowledged messages to their queue.
    await channel.close();
    return found;
  } finally {
    await connection.close();
  }
}
