CREATE TABLE orders (
  id               uuid PRIMARY KEY,
  saga_id          uuid NOT NULL,
  customer_id      uuid NOT NULL,
  total            integer NOT NULL CHECK (total > 0), -- in cents
  state            text NOT NULL,
  rejection_reason text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
