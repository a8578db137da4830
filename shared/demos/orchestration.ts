import path from 'node:path';
import { resolveAndExportServices } from '../harness/services.ts';
import { printTimelineLive } from './live-timeline.ts';

/**
 * `npm run demo -- orchestration`: lab 04's reference solution, narrated. One order is declined at the pivot
 * and the orchestrator compensates, last step first; another finishes although the orchestrator is SIGKILLed
 * right after the reply to step 3. Every command and reply is printed as it crosses the broker.
 */
export async function orchestrationDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { OrchestrationWorld, FAULT, describeHistory } = await import('../../labs/04-orchestration/grader/world.ts');
  const world = await OrchestrationWorld.start({ stepTimeoutMs: 20_000 });
  const stopPrinting = printTimelineLive(world.timeline, { notes: true });
  try {
    const customer = await world.createCustomer(10_000);
    const note = (text: string) => world.timeline.note(text);

    note('order A: accounting-service declines the payment (the pivot)');
    const declined = await world.acceptedOrder(customer, FAULT.declined);
    const a = await world.ended(declined.sagaId);

    note('order B: order-service is SIGKILLed right after it handles the reply to step 3');
    await world.world.call('order-service', 'POST', '/admin/crash-after-reply', { step: 3 });
    const crashed = await world.acceptedOrder(customer, 1_000);
    const orchestrator = world.service('order-service');
    while (!orchestrator.exited) await new Promise((resolve) => setTimeout(resolve, 20));
    await orchestrator.restart();
    const b = await world.ended(crashed.sagaId);

    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last messages reach the printer
    stopPrinting();
    console.log('\nHow the sagas ended (GET /sagas/:id):');
    console.log(`  order A: ${a.state}, ${a.failure ?? ''}\n    ${describeHistory(a)}`);
    console.log(`  order B: ${b.state}\n    ${describeHistory(b)}`);
    console.log(`  customer's reserved credit: ${await world.creditReserved(customer)} (order B's 1000 only)`);
    const file = world.timeline.writeMarkdown('demo-orchestration', 'demo: the Create Order saga by orchestration');
    console.log(`\nsequence diagram of the run: ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    stopPrinting();
    await world.stop();
    await services.stop();
  }
}
