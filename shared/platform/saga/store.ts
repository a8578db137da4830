import path from 'node:path';
import type { Pool, PoolClient } from '../db.ts';

/** Add to the orchestrating service's migrations: the saga instances and their history. */
export const SAGA_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

export type SagaState = 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED';

/** One saga as it is persisted: everything the orchestrator needs to carry on after a crash. */
export interface SagaInstance<Data> {
  id: string;
  type: string;
  state: SagaState;
  step: number;
  attempt: number;
  compensations: number[];
  awaiting: string[];
  waitingFor: 'reply' | 'retry' | null;
  dueAt: Date | null;
  data: Data;
  failure: string | null;
}

export type HistoryKind = 'command' | 'reply' | 'ignored' | 'local' | 'timeout' | 'retry' | 'state';

export interface HistoryEntry {
  step: number;
  kind: HistoryKind;
  messageType?: string;
  messageId?: string;
  detail?: string;
}

interface SagaRow {
  id: string;
  type: string;
  state: SagaState;
  current_step: number;
  attempt: number;
  compensations: number[];
  awaiting: string[];
  waiting_for: 'reply' | 'retry' | null;
  due_at: Date | null;
  data: unknown;
  failure: string | null;
}

function fromRow<Data>(row: SagaRow): SagaInstance<Data> {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    step: row.current_step,
    attempt: row.attempt,
    compensations: row.compensations,
    awaiting: row.awaiting,
    waitingFor: row.waiting_for,
    dueAt: row.due_at,
    data: row.data as Data,
    failure: row.failure,
  };
}

/** `forUpdate`: a reply and a timeout for the same saga take turns instead of both moving it. */
export async function loadSaga<Data>(db: Pool | PoolClient, id: string, { forUpdate = false } = {}): Promise<SagaInstance<Data> | undefined> {
  const { rows } = await db.query<SagaRow>(`SELECT * FROM saga_instances WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && fromRow<Data>(rows[0]);
}

/** Inserts or updates the saga and appends its new history, in the caller's transaction. */
export async function saveSaga<Data>(tx: PoolClient, saga: SagaInstance<Data>, history: HistoryEntry[]): Promise<void> {
  await tx.query(
    `INSERT INTO saga_instances (id, type, state, current_step, attempt, compensations, awaiting, waiting_for, due_at, data, failure)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET state = $3, current_step = $4, attempt = $5, compensations = $6, awaiting = $7,
       waiting_for = $8, due_at = $9, data = $10, failure = $11, updated_at = now()`,
    [saga.id, saga.type, saga.state, saga.step, saga.attempt, saga.compensations, saga.awaiting, saga.waitingFor, saga.dueAt, JSON.stringify(saga.data), saga.failure],
  );
  for (const entry of history) {
    await tx.query('INSERT INTO saga_history (saga_id, step, kind, message_type, message_id, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
      saga.id,
      entry.step,
      entry.kind,
      entry.messageType ?? null,
      entry.messageId ?? null,
      entry.detail ?? null,
    ]);
  }
}

/**
 * One saga whose deadline passed (a reply is late, or a retry is due), locked for the caller's transaction.
 * SKIP LOCKED: a saga a reply is moving right now is left alone, and two sweepers never take the same one.
 */
export async function claimDueSaga<Data>(tx: PoolClient, now: Date): Promise<SagaInstance<Data> | undefined> {
  const { rows } = await tx.query<SagaRow>(
    `SELECT * FROM saga_instances WHERE due_at <= $1 AND state IN ('RUNNING', 'COMPENSATING') ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [now],
  );
  return rows[0] && fromRow<Data>(rows[0]);
}

export async function readHistory(db: Pool | PoolClient, sagaId: string): Promise<Array<HistoryEntry & { at: Date }>> {
  const { rows } = await db.query<{ at: Date; step: number; kind: HistoryKind; message_type: string | null; message_id: string | null; detail: string | null }>(
    'SELECT at, step, kind, message_type, message_id, detail FROM saga_history WHERE saga_id = $1 ORDER BY id',
    [sagaId],
  );
  return rows.map((r) => ({
    at: r.at,
    step: r.step,
    kind: r.kind,
    ...(r.message_type ? { messageType: r.message_type } : {}),
    ...(r.message_id ? { messageId: r.message_id } : {}),
    ...(r.detail ? { detail: r.detail } : {}),
  }));
}
