-- The order-history view. Every row belongs to a generation: the live one answers queries; a rebuild fills the
-- next one from the logs' start beside it, then the switch makes it live and drops the old one.
CREATE TABLE view_state (
  singleton             boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  active_generation     integer NOT NULL,
  rebuilding_generation integer
);
INSERT INTO view_state (active_generation) VALUES (1);

-- Per generation and log, the offset of the last entry applied: written in the transaction that applies it.
CREATE TABLE view_offsets (
  generation integer NOT NULL,
  log        text NOT NULL,
  last_offset bigint NOT NULL,
  PRIMARY KEY (generation, log)
);

CREATE TABLE customer_view (
  generation    integer NOT NULL,
  customer_id   uuid NOT NULL,
  name          text,
  credit_limit  integer,
  version       integer NOT NULL,
  order_count   integer NOT NULL,
  ordered_total bigint NOT NULL,
  PRIMARY KEY (generation, customer_id)
);

CREATE TABLE order_view (
  generation       integer NOT NULL,
  order_id         uuid NOT NULL,
  customer_id      uuid,
  total            integer,
  description      text,
  state            text,
  rejection_reason text,
  ticket           text,
  payment          text,
  order_version    integer NOT NULL,
  ticket_version   integer NOT NULL,
  payment_version  integer NOT NULL,
  PRIMARY KEY (generation, order_id)
);
CREATE INDEX order_view_by_customer ON order_view (generation, customer_id);
CREATE INDEX order_view_text ON order_view USING gin (to_tsvector('simple', coalesce(description, '')));

-- The view's dead letters: log entries it can never apply (not an event it knows, or a malformed one). The
-- offset still moves past them, so one bad entry does not stop the view; a person reads them here.
CREATE TABLE rejected_entries (
  generation  integer NOT NULL,
  log         text NOT NULL,
  log_offset  bigint NOT NULL,
  message_id  text,
  type        text,
  error       text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (generation, log, log_offset)
);
