-- The stand-in's orders: where each one is in its life, and whether its payment will be declined.
CREATE TABLE flow_orders (
  id          uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  total       integer NOT NULL CHECK (total > 0), -- in cents
  description text NOT NULL,
  declined    boolean NOT NULL,
  next_step   integer NOT NULL,                    -- index in the order's life (messaging/events.ts) of its next event
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flow_orders_unfinished ON flow_orders (created_at) WHERE next_step < 5;
