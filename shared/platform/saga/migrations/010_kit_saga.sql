-- The orchestrator's saga instances (lab 04 on). A service that runs sagas adds this folder to its
-- migrations: migrate(pool, [own folder, OUTBOX_MIGRATIONS, SAGA_MIGRATIONS]).
CREATE TABLE saga_instances (
  id            uuid PRIMARY KEY,
  type          text NOT NULL,
  state         text NOT NULL CHECK (state IN ('RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED')),
  current_step  integer NOT NULL,                 -- 0-based index into the definition's steps
  attempt       integer NOT NULL DEFAULT 1,       -- of the current step (or compensation)
  compensations integer[] NOT NULL DEFAULT '{}',  -- compensations still to run after the current one, in order
  awaiting      uuid[] NOT NULL DEFAULT '{}',     -- ids of the commands of the current step (one per attempt)
  waiting_for   text CHECK (waiting_for IN ('reply', 'retry')),
  due_at        timestamptz,                      -- the reply's deadline, or when to try again
  data          jsonb NOT NULL,
  failure       text,                             -- why the saga compensates
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_instances_due ON saga_instances (due_at) WHERE due_at IS NOT NULL;

-- What happened to each saga, in order: commands sent, replies received (and ignored), local actions,
-- timeouts, retries and state changes. GET /sagas/:id shows it.
CREATE TABLE saga_history (
  id           bigserial PRIMARY KEY,
  saga_id      uuid NOT NULL REFERENCES saga_instances (id),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  step         integer NOT NULL,
  kind         text NOT NULL,
  message_type text,
  message_id   uuid,
  detail       text
);
CREATE INDEX saga_history_saga ON saga_history (saga_id, id);
