-- The orders a composer reads (lab 06). The order is the root of a composed answer: it names its customer, and
-- the kitchen's ticket and accounting's authorization are keyed by its id.
CREATE TABLE orders (
  id          uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  total       integer NOT NULL CHECK (total > 0),
  state       text NOT NULL CHECK (state IN ('APPROVAL_PENDING', 'APPROVED', 'REJECTED')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_by_customer ON orders (customer_id, created_at);
