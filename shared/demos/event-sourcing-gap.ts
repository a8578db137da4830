import { eventually } from '../harness/eventually.ts';
import type { Namespace } from '../harness/namespace.ts';
import type { Timeline } from '../harness/timeline.ts';
import type { Pool } from '../platform/db.ts';
import { createLogger } from '../platform/log.ts';
import { connectBroker } from '../platform/messaging.ts';
import { STREAM_TYPE } from '../../solutions/08-event-sourcing/order-service/app/handle-command.ts';
import { appendToStream } from '../../solutions/08-event-sourcing/order-service/db/event-store.ts';
import { EXCHANGE, publishBatch } from '../../solutions/08-event-sourcing/order-service/publisher/publish.ts';
import { gate, poolHeldBeforeCommit } from './event-sourcing-hooks.ts';

const STORE = 'events table';
const NAIVE = 'naive reader';
const PUBLISHER = 'publisher (snapshot filter)';

/**
 * Act 2 of `npm run demo -- event-sourcing`. T1 appends an order's first event and is held right before its
 * COMMIT: it has its position, nobody can see it. T2 appends another order's and commits. Both readers
 * start from the end of the store. The naive reader ("positions after my checkpoint") sees T2's event, moves
 * its checkpoint past T1's position, and after T1 commits finds nothing new: T1's event is lost to it. The
 * lab's publisher reads only events of transactions below the snapshot's xmin: it holds back while T1 is
 * open, then publishes both to RabbitMQ. Returns whether the run showed exactly that.
 */
export async function naiveReaderGap(pool: Pool, namespace: Namespace, timeline: Timeline): Promise<boolean> {
  const broker = await connectBroker({ url: namespace.amqpUrl, prefix: namespace.id, service: 'publisher', logger: createLogger('demo', 'silent') });
  const received: Array<{ orderId: string; position: string }> = [];
  let story = false; // act 1's events go out first, off the timeline
  try {
    await broker.declareTopology({ exchanges: [EXCHANGE], queues: [{ name: 'demo-subscriber', bindings: [{ exchange: EXCHANGE, pattern: '#' }] }] });
    await broker.consume('demo-subscriber', (message) => {
      const { orderId, position } = message.payload as { orderId: string; position: string };
      received.push({ orderId, position });
      if (story) timeline.record({ from: 'RabbitMQ', to: 'subscriber', label: `${message.type} of order ${orderId.slice(0, 8)}, position ${position}` });
    });
    // Both readers start where the store ends now: the publisher sends act 1's events first, unseen.
    const { count } = (await pool.query<{ count: string }>('SELECT count(*)::text AS count FROM events')).rows[0]!;
    await eventually(async () => (await publishBatch(pool, broker, 500), received.length >= Number(count)), {
      timeoutMs: 30_000,
      description: "the publisher to send act 1's events (a long transaction elsewhere on this server holds it back)",
    });
    received.length = 0;
    story = true;
    let naiveCheckpoint = await lastPosition(pool);
    timeline.note(`both readers start at the end of the store: position ${naiveCheckpoint}`);

    const [t1, t2] = [crypto.randomUUID(), crypto.randomUUID()];
    const commitT1 = gate();
    const t1Held = gate();
    let t1Position = '?';
    const t1Pool = poolHeldBeforeCommit(pool, commitT1, async (tx) => {
      const row = (await tx.query<{ position: string; tx: string }>('SELECT position::text AS position, tx_id::text AS tx FROM events WHERE stream_id = $1', [t1])).rows[0]!;
      t1Position = row.position;
      timeline.record({ from: 'T1', to: STORE, label: `order ${t1.slice(0, 8)} placed: position ${row.position}, transaction ${row.tx}, held before COMMIT` });
      t1Held.open();
    });
    const t1Done = appendToStream(t1Pool, t1, STREAM_TYPE, 0, [placed(t1)]);
    await t1Held.passed;
    await appendToStream(pool, t2, STREAM_TYPE, 0, [placed(t2)]);
    const t2Row = await eventRow(pool, t2);
    timeline.record({ from: 'T2', to: STORE, label: `order ${t2.slice(0, 8)} placed: position ${t2Row.position}, transaction ${t2Row.tx}, committed` });

    const firstNaive = await readNaive(pool, naiveCheckpoint);
    timeline.record({ from: STORE, to: NAIVE, label: `positions after ${naiveCheckpoint}: [${firstNaive.join(', ')}]` });
    naiveCheckpoint = firstNaive.at(-1) ?? naiveCheckpoint;
    timeline.record({ from: NAIVE, to: NAIVE, label: `publishes [${firstNaive.join(', ')}], checkpoint := ${naiveCheckpoint}` });

    const xmin = (await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0]!.xmin;
    const heldBack = await publishBatch(pool, broker, 500);
    timeline.record({ from: STORE, to: PUBLISHER, label: `snapshot xmin is ${xmin}, T1 still runs: ${heldBack} event(s) read, it waits` });

    commitT1.open();
    await t1Done;
    timeline.record({ from: 'T1', to: STORE, label: `COMMIT: position ${t1Position} becomes visible` });

    const secondNaive = await readNaive(pool, naiveCheckpoint);
    timeline.record({ from: STORE, to: NAIVE, label: `positions after ${naiveCheckpoint}: [${secondNaive.join(', ')}]` });
    const naiveSaw = [...firstNaive, ...secondNaive];
    const naiveLost = !naiveSaw.includes(t1Position);
    timeline.note(naiveLost ? `the naive reader never reads position ${t1Position}: T1's event is lost to it` : `the naive reader read position ${t1Position} after all`);

    await eventually(async () => {
      const sent = await publishBatch(pool, broker, 500);
      if (sent > 0) timeline.record({ from: PUBLISHER, to: 'RabbitMQ', label: `${sent} event(s) published and confirmed, then the checkpoint moved` });
      return received.length >= 2;
    }, {
      timeoutMs: 30_000,
      description: 'the publisher to send both events (a long transaction elsewhere on this server holds its snapshot xmin back)',
    });
    const published = received.map((r) => r.position);
    const publisherComplete = published.includes(t1Position) && published.includes(t2Row.position);
    timeline.note(`the publisher sent [${published.join(', ')}] to RabbitMQ: ${publisherComplete ? 'nothing missed' : 'SOMETHING MISSED'}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the printer's last round
    console.log(
      `\nnaive reader: published [${naiveSaw.join(', ')}], ${naiveLost ? `lost ${t1Position}` : 'lost nothing this time'}.` +
        ` publisher with the snapshot filter: published [${published.join(', ')}], ${publisherComplete ? 'missed nothing' : 'MISSED AN EVENT'}.`,
    );
    return naiveLost && publisherComplete && heldBack === 0;
  } finally {
    await broker.deleteTopology();
    await broker.close();
  }
}

function placed(orderId: string) {
  return { id: crypto.randomUUID(), type: 'OrderPlaced', data: { orderId, customerId: crypto.randomUUID(), placedAt: new Date().toISOString() } };
}

/** The mistake itself: "every event after the last position I handled", trusting positions to arrive in order. */
async function readNaive(pool: Pool, after: string): Promise<string[]> {
  const { rows } = await pool.query<{ position: string }>('SELECT position::text AS position FROM events WHERE position > $1 ORDER BY position', [after]);
  return rows.map((r) => r.position);
}

async function lastPosition(pool: Pool): Promise<string> {
  return (await pool.query<{ last: string }>('SELECT coalesce(max(position), 0)::text AS last FROM events')).rows[0]!.last;
}

async function eventRow(pool: Pool, streamId: string): Promise<{ position: string; tx: string }> {
  return (await pool.query<{ position: string; tx: string }>('SELECT position::text AS position, tx_id::text AS tx FROM events WHERE stream_id = $1', [streamId])).rows[0]!;
}
