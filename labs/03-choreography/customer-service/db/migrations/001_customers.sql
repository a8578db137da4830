CREATE TABLE customers (
  id              uuid PRIMARY KEY,
  name            text NOT NULL,
  credit_limit    integer NOT NULL CHECK (credit_limit >= 0), -- in cents
  credit_reserved integer NOT NULL DEFAULT 0,                 -- sum of the approved, not cancelled orders
  created_at      timestamptz NOT NULL DEFAULT now()
);
