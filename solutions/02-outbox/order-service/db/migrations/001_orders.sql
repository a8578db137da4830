CREATE TABLE orders (
  id          uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  total       integer NOT NULL CHECK (total > 0), -- in cents
  state       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox: events wait here, written in the same transaction as the change they describe,
-- until the message relay has published them and RabbitMQ has confirmed.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,          -- commit order is close to id order; the relay publishes by id
  message_id   uuid NOT NULL UNIQUE,           -- what consumers deduplicate on
  aggregate_id uuid NOT NULL,                  -- events of one aggregate (order) are published in id order
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
-- The relay's claim query reads only unpublished rows; a partial index keeps it small as history grows.
CREATE INDEX outbox_unpublished ON outbox (aggregate_id, id) WHERE published_at IS NULL;
-- The relay reads unpublished rows in id order: without this, each claim would first walk past every row
-- already published (and not yet vacuumed) in the primary key.
CREATE INDEX outbox_unpublished_by_id ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;
