import path from 'node:path';
import { resolveAndExportServices } from '../harness/services.ts';
import { printTimelineLive } from './live-timeline.ts';

/**
 * `npm run demo -- outbox-crash`: lab 02's reference solution under a crash, narrated. Orders are created at
 * a steady pace; the relay is SIGKILLed mid-stream, orders keep committing into the outbox, the relay comes
 * back, drains the backlog, and customer-service ends up with every order applied exactly once.
 */
export async function outboxCrashDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { OutboxWorld } = await import('../../labs/02-outbox/grader/world.ts');
  const world = await OutboxWorld.start({ lab: '02-outbox', relayEntry: 'relay/index.ts', relayEnv: { RELAY_BATCH_SIZE: '3', RELAY_IDLE_MS: '100' } });
  const stopPrinting = printTimelineLive(world.timeline, { everyMs: 100 });
  try {
    const customers = await Promise.all([world.createCustomer(), world.createCustomer()]);
    let relay = await world.startRelay();
    const committed = new Map(customers.map((c) => [c, { orders: 0, total: 0 }]));
    for (let i = 1; i <= 24; i++) {
      const customerId = customers[i % 2]!;
      const { status } = await world.createOrder(customerId, 100 + i);
      if (status === 201) {
        const c = committed.get(customerId)!;
        c.orders += 1;
        c.total += 100 + i;
        world.timeline.record({ from: 'client', to: 'order-service', label: `POST /orders #${i} → 201 (order + OrderCreated in one transaction)` });
      }
      if (i === 8) {
        await relay.kill();
        world.timeline.note(`relay SIGKILLed mid-stream; orders keep committing to the outbox`);
      }
      if (i === 16) {
        world.timeline.note(`outbox backlog while the relay was down: ${await world.unpublished()} unpublished rows`);
        relay = await relay.restart();
        world.timeline.note('relay restarted: it resumes from the rows still unpublished');
      }
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const { expected, actual } = await world.effects(committed);
    stopPrinting();
    const ids = world.tap.messages.map((m) => m.id);
    const duplicates = ids.length - new Set(ids).size;
    const applied = actual.reduce((s, c) => s + c.ordersSeen, 0);
    const exact = JSON.stringify(actual) === JSON.stringify(expected);
    console.log(
      `\n24 orders committed; ${ids.length} messages crossed the broker (${duplicates} duplicate${duplicates === 1 ? '' : 's'}, absorbed by the idempotent consumer);` +
        ` customer-service applied ${applied} orders: ${exact ? 'nothing lost, nothing doubled' : 'NOT exactly once (see the diagram)'}.`,
    );
    const file = world.timeline.writeMarkdown('demo-outbox-crash', 'demo: the relay crashes and nothing is lost');
    console.log(`sequence diagram of the run: ${path.relative(process.cwd(), file)}`);
    return exact ? 0 : 1;
  } finally {
    stopPrinting();
    await world.stop();
    await services.stop();
  }
}
