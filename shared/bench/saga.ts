import { resolveAndExportServices } from '../harness/services.ts';
import { sampleWorldCpu, type WorldCpuSample } from './cpu.ts';
import { orchestratedStepTimes, startSubject, type SagaSubject } from './saga-subjects.ts';
import { percentile, table } from './stats.ts';

const SAGAS_AT = { 1: Number(process.env.BENCH_SAGAS_SERIAL ?? 100), 20: Number(process.env.BENCH_SAGAS_PARALLEL ?? 400) } as const;
/** The longest a client's one GET /orders/:id?waitMs=… waits for the saga to decide (it asks again if not). */
const WAIT_MS = 5_000;

interface Run {
  latencies: number[];
  seconds: number;
  messages: number;
  cpu: WorldCpuSample;
  orderIds: string[];
}

/**
 * `npm run bench -- saga`: Create Order by choreography (lab 03) and by orchestration (lab 04), both
 * reference solutions, in one run and one table. Each client places an order (202) and asks for it with
 * `?waitMs=`, which the order-service answers the moment the saga decides it: the client learns the outcome
 * without polling, so the load measured is the sagas' own. Latency is from the POST to that answer.
 */
export async function benchSaga(): Promise<number> {
  const services = await resolveAndExportServices();
  const rows: string[][] = [['saga', 'clients', 'sagas', 'sagas/s', 'p50 ms', 'p99 ms', 'msgs/saga', 'CPU ms/saga', '(services', 'database', 'broker)']];
  const steps: string[][] = [['orchestration, 20 clients: step', 'p50 ms', 'p99 ms']];
  try {
    for (const kind of ['choreography', 'orchestration'] as const) {
      const subject = await startSubject(kind);
      try {
        const customers = await Promise.all(Array.from({ length: 20 }, () => subject.createCustomer(1_000_000_000)));
        await runSagas(subject, customers, 20, 40); // warm-up: connections, code paths; not measured
        for (const [clients, sagas] of Object.entries(SAGAS_AT).map(([c, n]) => [Number(c), n] as const)) {
          const run = await runSagas(subject, customers, clients, sagas);
          rows.push(row(subject.name, clients, run));
          if (kind === 'orchestration' && clients === 20) {
            for (const { step, ms } of await orchestratedStepTimes(subject.world, run.orderIds)) steps.push([step, percentile(ms, 50).toFixed(1), percentile(ms, 99).toFixed(1)]);
          }
        }
      } finally {
        await subject.stop();
      }
    }
  } finally {
    await services.stop();
  }
  console.log('\nsaga benchmark: Create Order, POST → decided (one long-poll GET /orders/:id?waitMs), reference solutions');
  console.log('CPU: the services’ processes, their databases’ PostgreSQL backends, and RabbitMQ (the whole broker), per saga\n');
  console.log(table(rows));
  console.log('\nwhere an orchestrated saga’s time goes (from its history: each step from the previous reply or local action to its own)\n');
  console.log(table(steps));
  return 0;
}

/** `sagas` orders by `clients` concurrent clients, each placing an order and waiting for it to be APPROVED. */
async function runSagas(subject: SagaSubject, customers: string[], clients: number, sagas: number): Promise<Run> {
  const { world } = subject;
  const pids = world.options.services.flatMap((s) => world.instances(s.name).map((i) => i.pid));
  const latencies: number[] = [];
  const orderIds: string[] = [];
  const messagesBefore = subject.messagesSeen();
  const cpuBefore = sampleWorldCpu(pids, world.ns.id);
  let next = 0;
  const started = performance.now();
  const client = async (index: number) => {
    while (next < sagas) {
      next += 1;
      const t0 = performance.now();
      const created = await world.call('order-service', 'POST', '/orders', { customerId: customers[index % customers.length], total: 1 });
      if (created.status !== 202) throw new Error(`POST /orders answered ${created.status} ${JSON.stringify(created.body)}`);
      const id = created.body.id as string;
      for (;;) {
        const { status, body } = await world.call('order-service', 'GET', `/orders/${id}?waitMs=${WAIT_MS}`, undefined, WAIT_MS + 5_000);
        if (status !== 200) throw new Error(`GET /orders/${id} answered ${status} ${JSON.stringify(body)}`);
        if (body.state === 'APPROVED') break;
        if (body.state !== 'APPROVAL_PENDING') throw new Error(`order ${id} ended ${String(body.state)}`);
      }
      latencies.push(performance.now() - t0);
      orderIds.push(id);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = sampleWorldCpu(pids, world.ns.id);
  // The tap's copies (and a choreography's last events) may arrive a moment after the last saga was decided:
  // count once the tap has seen nothing new for half a second, outside the timed window.
  for (let seen = -1; seen !== subject.messagesSeen(); ) {
    seen = subject.messagesSeen();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const messages = subject.messagesSeen() - messagesBefore;
  return { latencies, seconds, messages, orderIds, cpu: { services: minus(cpuAfter.services, cpuBefore.services), database: minus(cpuAfter.database, cpuBefore.database), broker: minus(cpuAfter.broker, cpuBefore.broker) } };
}

function row(name: string, clients: number, run: Run): string[] {
  const n = run.latencies.length;
  const perSaga = (seconds?: number) => (seconds === undefined ? 'n/a' : ((seconds * 1000) / n).toFixed(1));
  const total = run.cpu.services === undefined || run.cpu.database === undefined || run.cpu.broker === undefined ? undefined : run.cpu.services + run.cpu.database + run.cpu.broker;
  return [name, String(clients), String(n), (n / run.seconds).toFixed(0), percentile(run.latencies, 50).toFixed(1), percentile(run.latencies, 99).toFixed(1), (run.messages / n).toFixed(1), perSaga(total), perSaga(run.cpu.services), perSaga(run.cpu.database), perSaga(run.cpu.broker)];
}

function minus(a?: number, b?: number): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}
