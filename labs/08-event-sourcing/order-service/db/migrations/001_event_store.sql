-- The event store: the order service's only source of truth. No orders table: an order is the fold of its
-- stream's events. This file is the same in the starter and the solution.

-- One row per stream, holding its current version: an append with an expected version checks and moves it.
CREATE TABLE streams (
  stream_id   uuid PRIMARY KEY,
  stream_type text NOT NULL,
  version     integer NOT NULL CHECK (version > 0)
);

CREATE TABLE events (
  -- The global position: the order events were written in, across streams. Taken from a sequence when the
  -- row is inserted, so a transaction that commits later may hold a smaller position than one that committed
  -- before it: a reader that trusts positions alone skips it (the high-water-mark trap of lab 02).
  position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_id   uuid NOT NULL REFERENCES streams,
  version     integer NOT NULL CHECK (version > 0),
  event_id    uuid NOT NULL UNIQUE,
  type        text NOT NULL,
  data        jsonb NOT NULL,
  -- The writing transaction's id. Compared with pg_snapshot_xmin(pg_current_snapshot()), it tells a reader
  -- whether every transaction that could still add a row before this one has finished.
  tx_id       xid8 NOT NULL DEFAULT pg_current_xact_id(),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- The last line of defence: whatever the append does, one stream never holds two events at one version.
  UNIQUE (stream_id, version)
);

-- A gap-free reader walks the store in (tx_id, position) order.
CREATE INDEX events_by_transaction ON events (tx_id, position);

-- How far each reader of the store got (the publisher, the projection): the last (tx_id, position) it handled.
CREATE TABLE checkpoints (
  name     text PRIMARY KEY,
  tx_id    xid8 NOT NULL DEFAULT '0',
  position bigint NOT NULL DEFAULT 0
);

-- The order-summary projection, kept from the store in the same transaction as its checkpoint.
CREATE TABLE order_summary (
  order_id    uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  status      text NOT NULL,
  line_count  integer NOT NULL,
  total       bigint NOT NULL,
  version     integer NOT NULL
);
