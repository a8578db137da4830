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

export interface TimedEntry {
  step: number;
  kind: string;
  messageType: string | null;
  at: Date;
}

/**
 * Where orchestrated sagas' time goes, from their histories: each step lasts from the previous entry that
 * moved the saga (a reply or a local action) to the reply, or local action, that ends it. So a command
 * step's time is its whole round trip: outbox, relay, broker, participant, its outbox and relay, broker,
 * orchestrator. Last, each saga's whole span. Steps keep the order the first saga ran them in.
 */
export function stepTimes(histories: TimedEntry[][]): StepTime[] {
  const steps = new Map<string, number[]>();
  const add = (name: string, ms: number) => steps.set(name, [...(steps.get(name) ?? []), ms]);
  for (const history of histories) {
    if (history.length === 0) continue;
    let previous = history[0]!.at.getTime();
    for (const entry of history) {
      if (entry.kind !== 'reply' && entry.kind !== 'local') continue;
      add(`${entry.step + 1} ${entry.kind === 'local' ? `${entry.messageType} (local)` : `until ${entry.messageType}`}`, entry.at.getTime() - previous);
      previous = entry.at.getTime();
    }
    add('whole saga', history.at(-1)!.at.getTime() - history[0]!.at.getTime());
  }
  return [...steps].map(([step, ms]) => ({ step, ms }));
}

/** The histories of the sagas of these orders, read after the run (so reading them costs the run nothing). */
export async function orchestratedStepTimes(world: World, orderIds: string[]): Promise<StepTime[]> {
  const rows = await world.query<{ step: number; kind: string; message_type: string | null; at: Date; saga_id: string }>(
    'orders',
    `SELECT h.step, h.kind, h.message_type, h.at, h.saga_id FROM saga_history h JOIN orders o ON o.saga_id = h.saga_id
      WHERE o.id = ANY($1::uuid[]) ORDER BY h.saga_id, h.id`,
    [orderIds],
  );
  const bySaga = new Map<string, TimedEntry[]>();
  for (const r of rows) bySaga.set(r.saga_id, [...(bySaga.get(r.saga_id) ?? []), { step: r.step, kind: r.kind, messageType: r.message_type, at: r.at }]);
  return stepTimes([...bySaga.values()]);
}
