-- One ticket per order: the business key that makes a command sent again harmless. A REJECTED ticket with
-- no CREATE_PENDING before it is a tombstone: the rejection overtook the creation, which must then not happen.
CREATE TABLE tickets (
  order_id   uuid PRIMARY KEY,
  total      integer NOT NULL,
  state      text NOT NULL CHECK (state IN ('CREATE_PENDING', 'APPROVED', 'REJECTED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
