-- The platform's transactional outbox (the mechanism lab 02 builds by hand). A service that uses it adds
-- this folder to its migrations: migrate(pool, [own folder, OUTBOX_MIGRATIONS]).
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  message_id   uuid NOT NULL UNIQUE,
  aggregate_id text NOT NULL,
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (aggregate_id, id) WHERE published_at IS NULL;
CREATE INDEX outbox_unpublished_by_id ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- The idempotent consumer's record of messages that took effect.
CREATE TABLE processed_messages (
  message_id   uuid PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_messages_processed_at ON processed_messages (processed_at);
