-- Not part of any lesson: lets GET /orders/:id?waitMs=… answer the moment an order changes state, instead
-- of a client (or the benchmark) polling. PostgreSQL delivers the notification when the transaction that
-- changed the order commits, and never for one that rolls back.
CREATE FUNCTION kit_notify_order_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kit_order_changes', NEW.id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER kit_order_changes AFTER UPDATE ON orders
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION kit_notify_order_change();
