-- One authorization per order, AUTHORIZED or DECLINED: asked again, accounting gives the same answer.
CREATE TABLE authorizations (
  order_id    uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  total       integer NOT NULL,
  state       text NOT NULL CHECK (state IN ('AUTHORIZED', 'DECLINED')),
  reason      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
