import pg from 'pg';
import { eventually } from '#shared/harness/eventually.ts';

/**
 * Makes PostgreSQL ask each relay that connects to `databaseUrl` from now on for its position whenever the
 * relay has said nothing for `everyMs` (a keepalive that requests a reply, at half of wal_sender_timeout).
 * The relay's answer is what lets `Slot.relayHasCaughtUp` know that the relay has read what it was sent.
 * A relay that does not answer within twice that is disconnected, and subscribes again.
 */
export async function askRelaysForRepliesEvery(databaseUrl: string, everyMs: number): Promise<void> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} SET wal_sender_timeout = '${2 * everyMs}ms'`);
  } finally {
    await client.end();
  }
}

/** The replication slot of order-service's database, read from PostgreSQL's side. */
export class Slot {
  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<Slot> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new Slot(client);
  }

  close(): Promise<void> {
    return this.client.end();
  }

  /** Where the WAL ends now: every transaction that commits from now on lies past it. */
  async walEnd(): Promise<string> {
    const { rows } = await this.client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    return rows[0]!.lsn;
  }

  /** Whether the relay has acknowledged the slot past `lsn`: its promise that it will not need it again. */
  async passed(lsn: string): Promise<boolean> {
    const { rows } = await this.client.query<{ passed: boolean | null }>(
      'SELECT bool_or(confirmed_flush_lsn > $1::pg_lsn) AS passed FROM pg_replication_slots WHERE database = current_database()',
      [lsn],
    );
    return rows[0]?.passed === true;
  }

  /**
   * Resolves once PostgreSQL has processed two more replies of the streaming relay. The first one arrived
   * after this call began; PostgreSQL asks for the second only after it heard the first, so the relay wrote
   * the second after reading all that PostgreSQL had streamed to it before this call, commits included. An
   * acknowledgement the relay sent on reading them went before it on the same connection: it is processed
   * by now, and `passed` shows it. (`reply_time` is only compared with itself: the client library's clock
   * field is not PostgreSQL's format, but it changes with every reply.)
   */
  async relayHasCaughtUp(description: string): Promise<void> {
    let last = await this.lastReply();
    for (const reply of ['a first', 'a second']) {
      const before = last;
      last = await eventually(async () => {
        const now = await this.lastReply();
        return now !== null && now !== before ? now : false;
      }, { timeoutMs: 10_000, description: `${reply} reply of the streaming relay to PostgreSQL’s requests, ${description}` });
    }
  }

  /** When the streaming relay's last status update was sent, as PostgreSQL recorded it (`null` before any). */
  private async lastReply(): Promise<string | null> {
    const { rows } = await this.client.query<{ reply: string | null }>(
      `SELECT r.reply_time::text AS reply FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.database = current_database()`,
    );
    return rows[0]?.reply ?? null;
  }
}
