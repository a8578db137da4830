CREATE TABLE customers (
  id              uuid PRIMARY KEY,
  name            text NOT NULL,
  credit_limit    integer NOT NULL CHECK (credit_limit >= 0), -- in cents
  credit_reserved integer NOT NULL DEFAULT 0,                 -- sum of the RESERVED reservations
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- One reservation per order: the business key that makes a command sent again (a saga's retry, with a new
-- message id) harmless. RELEASED without having been RESERVED is a tombstone: the release overtook the
-- reservation, which must then not happen.
CREATE TABLE credit_reservations (
  order_id    uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  amount      integer NOT NULL,
  state       text NOT NULL CHECK (state IN ('RESERVED', 'RELEASED')),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
