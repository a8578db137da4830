import { resolveAndExportServices } from '../harness/services.ts';

/**
 * `npm run demo -- cqrs`: lab 07's reference solution, narrated. One customer's and two orders' events reach
 * the view scrambled and partly twice (the credit limit before the customer, an approval before the
 * creation); the view is printed after each, converging. Then a rebuild: held half-way while the old
 * generation keeps answering, then released, caught up and switched in.
 */
export async function cqrsDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { ViewWorld } = await import('../../labs/07-cqrs-view/grader/world.ts');
  const { lifeOf } = await import('../../labs/07-cqrs-view/grader/model.ts');
  type Event = import('../../labs/07-cqrs-view/grader/model.ts').Event;
  const world = await ViewWorld.start();
  try {
    await world.ready();
    const customerId = crypto.randomUUID();
    const created: Event = { log: 'customer-service', id: crypto.randomUUID(), type: 'CustomerCreated', payload: { customerId, name: 'Ada Lovelace', creditLimit: 1_000, version: 1 } };
    const raised: Event = { log: 'customer-service', id: crypto.randomUUID(), type: 'CustomerCreditLimitChanged', payload: { customerId, creditLimit: 5_000, version: 2 } };
    const pizza = lifeOf(customerId, { orderId: crypto.randomUUID(), total: 1_200, description: 'pizza margherita', declined: false });
    const curry = lifeOf(customerId, { orderId: crypto.randomUUID(), total: 900, description: 'green curry', declined: true });
    // The order they reach the view in: nothing like the order they happened in.
    const arrival: Array<[Event, string]> = [
      [raised, 'the credit limit changes before the customer exists'],
      [pizza[4]!, 'pizza: OrderApproved before OrderCreated'],
      [curry[1]!, 'curry: the kitchen’s TicketCreated first'],
      [pizza[0]!, 'pizza: OrderCreated, late: brings the description, keeps APPROVED'],
      [created, 'CustomerCreated, late: brings the name, keeps the newer limit'],
      [pizza[4]!, 'pizza: OrderApproved again (a redelivery): changes nothing'],
      [curry[2]!, 'curry: PaymentDeclined'],
      [curry[4]!, 'curry: OrderRejected'],
      [curry[3]!, 'curry: TicketRejected'],
      [curry[0]!, 'curry: OrderCreated, last'],
      [pizza[1]!, 'pizza: TicketCreated'],
      [pizza[2]!, 'pizza: PaymentAuthorized'],
      [pizza[3]!, 'pizza: TicketApproved'],
      [pizza[0]!, 'pizza: OrderCreated again: changes nothing, counts nothing'],
    ];
    console.log(`\nlab 07 demo: events reach order-history-service out of order, some twice (customer ${customerId.slice(0, 8)})\n`);
    for (const [event, what] of arrival) {
      await world.publish([event]);
      await waitUntilApplied(world, event);
      console.log(`→ ${event.type.padEnd(27)} v${event.payload.version}  ${what}`);
      console.log(`  ${await summary(world, customerId)}`);
    }

    console.log('\nrebuild: a new generation replays every log from offset 0, held after 3 entries');
    const before = await world.status();
    await world.call('order-history-service', 'POST', '/admin/rebuild', { pauseAfter: 3 });
    while (!(await world.status()).rebuilding?.held) await new Promise((resolve) => setTimeout(resolve, 20));
    const held = await world.status();
    console.log(`  held: generation ${held.rebuilding?.generation} rebuilding, generation ${held.active?.generation} still answers: ${await summary(world, customerId)}`);
    await world.call('order-history-service', 'POST', '/admin/rebuild/release');
    while ((await world.status()).rebuilding) await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await world.status();
    console.log(`  caught up and switched: generation ${before.active?.generation} → ${after.active?.generation}: ${await summary(world, customerId)}`);
    return 0;
  } finally {
    await world.stop();
    await services.stop();
  }
}

type DemoWorld = Awaited<ReturnType<typeof import('../../labs/07-cqrs-view/grader/world.ts').ViewWorld.start>>;

/** The view's offsets move once it applied an entry: wait for the log's offset to pass what it was. */
async function waitUntilApplied(world: DemoWorld, event: { log: string }): Promise<void> {
  const published = world.events().filter((e) => e.log === event.log).length;
  for (let i = 0; i < 200; i++) {
    const offsets = (await world.status()).active?.offsets ?? {};
    // Offsets count from 0 and the warm-up event is the customer log's first entry.
    if ((offsets[event.log] ?? -1) + 1 >= published) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function summary(world: DemoWorld, customerId: string): Promise<string> {
  const { status, body } = await world.call('order-history-service', 'GET', `/customers/${customerId}/orders`);
  if (status !== 200) return '(the view knows nothing of this customer yet)';
  const c = body.customer as { name: string | null; creditLimit: number | null; orderCount: number } | null;
  const orders = (body.orders as Array<{ description: string | null; state: string | null; ticket: string | null; payment: string | null }>).map(
    (o) => `[${o.description ?? '?'}: ${o.state ?? '?'}, ticket ${o.ticket ?? '?'}, payment ${o.payment ?? '?'}]`,
  );
  return `customer ${c?.name ?? '(no name yet)'}, limit ${c?.creditLimit ?? '?'}, ${c?.orderCount ?? 0} order(s) ${orders.join(' ')}`;
}
