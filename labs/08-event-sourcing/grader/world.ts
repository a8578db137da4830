import path from 'node:path';
import pg from 'pg';
import { eventually } from '#shared/harness/eventually.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';

export const LAB = '08-event-sourcing';
export const EXCHANGE = 'order-service.events';

/** What the grader reads of a stored event. */
export type StoredEvent = Pick<import('../order-service/db/event-store.ts').StoredEvent, 'position' | 'streamId' | 'version' | 'id' | 'type' | 'txId'>;

/**
 * Lab 08's world: order-service (commands, the event store, the projector) and its publisher, both from the
 * tree under test and sharing the `orders` database; a tap on the exchange the publisher feeds, which plays
 * the consumer: it counts what arrived, by message id.
 */
export class StoreWorld {
  private constructor(readonly world: World) {}

  static async start(): Promise<StoreWorld> {
    const tree = labDir(LAB);
    const world = await startWorld({
      lab: '08',
      services: [
        { name: 'order-service', entry: path.join(tree, 'order-service/index.ts'), database: 'orders', env: { PROJECTOR_IDLE_MS: '10' } },
        // Started once order-service has created the tables.
        { name: 'publisher', entry: path.join(tree, 'order-service/publisher/index.ts'), database: 'orders', rabbitmq: true, start: false, env: { PUBLISHER_IDLE_MS: '10' } },
      ],
      tap: { exchanges: [EXCHANGE] },
      recordHttp: false,
    });
    await world.launch('publisher');
    return new StoreWorld(world);
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  get databaseUrl(): string {
    return this.world.addresses.databaseUrl('orders');
  }

  call(method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    return this.world.call('order-service', method, url, body);
  }

  /** Places an order and answers its id, failing with the service's answer if it could not. */
  async placeOrder(): Promise<string> {
    const placed = await this.call('POST', '/orders', { customerId: crypto.randomUUID() });
    if (placed.status !== 201) throw new Error(`POST /orders answered ${placed.status} ${JSON.stringify(placed.body)}`);
    return placed.body.orderId as string;
  }

  query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.world.query<T>('orders', sql, params);
  }

  /** Every event of the store (of `streams`, or all). */
  async storedEvents(streams?: readonly string[]): Promise<StoredEvent[]> {
    return this.query<StoredEvent>(
      `SELECT position::text, stream_id AS "streamId", version, event_id AS id, type, tx_id::text AS "txId" FROM events
        WHERE $1::uuid[] IS NULL OR stream_id = ANY($1::uuid[]) ORDER BY position`,
      [streams ?? null],
    );
  }

  /** The publisher's own count of batches it read (empty ones too): it grows each time the publisher looked. */
  async publisherBatches(): Promise<number> {
    const { status, body } = await this.world.call('publisher', 'GET', '/admin/status');
    if (status !== 200) throw new Error(`the publisher's GET /admin/status answered ${status}`);
    return body.batches as number;
  }

  /** Resolves once the publisher has read `n` more batches: it looked at the store after whatever came before. */
  async publisherLooked(n = 2): Promise<void> {
    const from = await this.publisherBatches();
    await eventually(async () => (await this.publisherBatches()) >= from + n, { timeoutMs: 10_000, description: `the publisher to read the store ${n} more times` });
  }

  async projectorLooked(n = 2): Promise<void> {
    const batches = async () => (await this.call('GET', '/admin/projection')).body.batches as number;
    const from = await batches();
    await eventually(async () => (await batches()) >= from + n, { timeoutMs: 10_000, description: `the projector to read the store ${n} more times` });
  }

  /** Message ids the consumer (the tap) received, with how many copies of each. */
  received(): Map<string, number> {
    const copies = new Map<string, number>();
    for (const m of this.world.tap.messages) if (m.id) copies.set(m.id, (copies.get(m.id) ?? 0) + 1);
    return copies;
  }

  /** Waits until every stored event of `streams` (or every one) reached the consumer; says which did not. */
  async allPublished(streams?: readonly string[], timeoutMs = 15_000): Promise<StoredEvent[]> {
    let missing: StoredEvent[] = [];
    try {
      await eventually(
        async () => {
          const received = this.received();
          missing = (await this.storedEvents(streams)).filter((e) => !received.has(e.id));
          return missing.length === 0;
        },
        { timeoutMs, intervalMs: 50, description: 'every stored event to reach the consumer' },
      );
    } catch {
      const list = missing.slice(0, 5).map((e) => `${e.type} v${e.version} of ${e.streamId} at position ${e.position} (tx ${e.txId})`);
      throw new Error(`${missing.length} stored event(s) never reached RabbitMQ, for example: ${list.join('; ')}`);
    }
    return this.storedEvents(streams);
  }

  /**
   * With the publisher dead: every event its checkpoint has passed reached the consumer (what RabbitMQ
   * confirmed is in the consumer's queue, so it arrives within moments). An event behind the checkpoint that
   * never arrives is lost for good: no restart will publish it again.
   */
  async checkpointHonest(when: string): Promise<void> {
    let lost: StoredEvent[] = [];
    await eventually(
      async () => {
        const received = this.received();
        const passed = await this.query<StoredEvent>(
          `SELECT e.position::text, e.stream_id AS "streamId", e.version, e.event_id AS id, e.type, e.tx_id::text AS "txId"
             FROM events e JOIN checkpoints c ON c.name = 'rabbitmq' WHERE (e.tx_id, e.position) <= (c.tx_id, c.position)`,
        );
        lost = passed.filter((e) => !received.has(e.id));
        return lost.length === 0;
      },
      { timeoutMs: 5_000, intervalMs: 50, description: 'every event behind the publisher’s checkpoint to reach the consumer' },
    ).catch(() => {
      const list = lost.slice(0, 3).map((e) => `${e.type} v${e.version} of ${e.streamId}`);
      throw new Error(`the publisher crashed ${when}, and its checkpoint had passed ${lost.length} event(s) the consumer never got (${list.join('; ')}): they will never be published. Move the checkpoint only after RabbitMQ confirmed.`);
    });
  }

  /**
   * Every message the consumer got for one (stream, version) carries the same id: a copy published again
   * after a crash is a duplicate a consumer drops, never a second, different event.
   */
  duplicatesOnlyById(): string[] {
    const ids = new Map<string, Set<string>>();
    for (const m of this.world.tap.messages) {
      const body = m.body as { orderId?: string; version?: number };
      const key = `${body.orderId} v${body.version}`;
      ids.set(key, (ids.get(key) ?? new Set()).add(m.id ?? '(no id)'));
    }
    return [...ids].filter(([, set]) => set.size > 1).map(([key, set]) => `${key}: ${[...set].join(', ')}`);
  }
}

/**
 * A transaction the grader holds open: it appended one event (a new order's OrderPlaced), so it holds a global
 * position and a transaction id, and it commits only when the grader says. What a slow writer looks like to
 * a reader of the store.
 */
export interface HeldAppend {
  streamId: string;
  position: string;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export async function holdAppend(databaseUrl: string): Promise<HeldAppend> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const streamId = crypto.randomUUID();
  await client.query('BEGIN');
  await client.query("INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, 'Order', 1)", [streamId]);
  const { rows } = await client.query<{ position: string }>(
    "INSERT INTO events (stream_id, version, event_id, type, data) VALUES ($1, 1, $2, 'OrderPlaced', $3) RETURNING position::text",
    [streamId, crypto.randomUUID(), JSON.stringify({ orderId: streamId, customerId: crypto.randomUUID(), placedAt: new Date().toISOString() })],
  );
  const end = async (sql: string) => {
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return { streamId, position: rows[0]!.position, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

/** A short append, committed at once (the same shape as holdAppend's). */
export async function commitAppend(databaseUrl: string): Promise<string> {
  const held = await holdAppend(databaseUrl);
  await held.commit();
  return held.streamId;
}
