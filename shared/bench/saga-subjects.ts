import type { World } from '../harness/world.ts';

/**
 * The two ways of running Create Order the saga benchmark compares, each the reference solution of its lab
 * in its own world. The bench only needs what both have in common: create a customer, place an order, wait
 * for it to be decided, and what crossed the broker.
 */
export interface SagaSubject {
  /** `choreography (lab 03)`: the first column of the table. */
  name: string;
  world: World;
  createCustomer(creditLimit: number): Promise<string>;
  /** How many messages the tap saw so far. */
  messagesSeen(): number;
  stop(): Promise<void>;
}

/** Starts lab 03's and lab 04's worlds from solutions/ (imported late: KIT_TARGET must be set first). */
export async function startSubject(kind: 'choreography' | 'orchestration'): Promise<SagaSubject> {
  process.env.KIT_TARGET = 'solutions';
  if (kind === 'choreography') {
    const { SagaWorld } = await import('../../labs/03-choreography/grader/world.ts');
    // Four consumers in customer-service, as lab 03's concurrency check runs it.
    const saga = await SagaWorld.start({ consumers: 4 });
    return {
      name: 'choreography (lab 03)',
      world: saga.world,
      createCustomer: (limit) => saga.createCustomer(limit),
      messagesSeen: () => saga.tap.messages.length,
      stop: () => saga.stop(),
    };
  }
  const { OrchestrationWorld } = await import('../../labs/04-orchestration/grader/world.ts');
  // The grader's step timeout would compensate sagas that merely queue behind 20 clients: give them time.
  const saga = await OrchestrationWorld.start({ stepTimeoutMs: 30_000 });
  return {
    name: 'orchestration (lab 04)',
    world: saga.world,
    createCustomer: (limit) => saga.createCustomer(limit),
    messagesSeen: () => saga.tap.messages.length,
    stop: () => saga.stop(),
  };
}

export interface StepTime {
  step: string;
  ms: number[];
}

/**
 * Where an orchestrated saga's time goes, from its persisted history (read after the run, so it costs the
 * run nothing): for each step, from the command (or local action) to the reply that let the saga move on,
 * plus the saga's whole span. Per step, in the definition's order.
 */
export async function orchestratedStepTimes(world: World, orderIds: string[]): Promise<StepTime[]> {
  const rows = await world.query<{ step: number; kind: string; message_type: string | null; at: Date; saga_id: string }>(
    'orders',
    `SELECT h.step, h.kind, h.message_type, h.at, h.saga_id FROM saga_history h JOIN orders o ON o.saga_id = h.saga_id
      WHERE o.id = ANY($1::uuid[]) ORDER BY h.saga_id, h.id`,
    [orderIds],
  );
  const bySaga = new Map<string, typeof rows>();
  for (const r of rows) bySaga.set(r.saga_id, [...(bySaga.get(r.saga_id) ?? []), r]);
  const steps = new Map<string, number[]>();
  const add = (name: string, ms: number) => steps.set(name, [...(steps.get(name) ?? []), ms]);
  for (const history of bySaga.values()) {
    // Each step starts when the previous one ended: the command's or local action's time in the history.
    let previous = history[0]!.at.getTime();
    for (const entry of history) {
      if (entry.kind === 'reply' || entry.kind === 'local') {
        const label = entry.kind === 'local' ? `${entry.step + 1} ${entry.message_type} (local)` : `${entry.step + 1} reply ${entry.message_type}`;
        add(label, entry.at.getTime() - previous);
        previous = entry.at.getTime();
      }
    }
    add('whole saga (first to last entry)', history.at(-1)!.at.getTime() - history[0]!.at.getTime());
  }
  // Every saga of the run went the same way, so the first one's order is the definition's.
  return [...steps].map(([step, ms]) => ({ step, ms }));
}
