-- customer-service's own database. No other service reads these tables: that would be design-time coupling.
CREATE TABLE customers (
  id           uuid PRIMARY KEY,
  name         text NOT NULL,
  credit_limit integer NOT NULL CHECK (credit_limit >= 0), -- in cents
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per order that holds credit. The order id is the key, so asking twice for the same order
-- reserves once.
CREATE TABLE credit_reservations (
  order_id    uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  amount      integer NOT NULL CHECK (amount > 0),
  reserved_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_reservations_by_customer ON credit_reservations (customer_id);
