-- order-service's own database: it never reads customer-service's tables, it asks customer-service.
CREATE TABLE orders (
  id          uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  total       integer NOT NULL CHECK (total > 0), -- in cents
  state       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
