-- Lab 05: an authorization can be cancelled (the Cancel Order saga), and accounting keeps a version file:
-- every payment operation it received for an order, in the order received. Commands may arrive out of
-- order; with the file, a late AuthorizePayment can see that its order's payment was already cancelled.
ALTER TABLE authorizations DROP CONSTRAINT authorizations_state_check;
ALTER TABLE authorizations ADD CONSTRAINT authorizations_state_check CHECK (state IN ('AUTHORIZED', 'DECLINED', 'CANCELLED'));

CREATE TABLE payment_operations (
  id          bigserial PRIMARY KEY,
  order_id    uuid NOT NULL,
  operation   text NOT NULL CHECK (operation IN ('authorize', 'cancel')),
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_operations_order ON payment_operations (order_id, id);
