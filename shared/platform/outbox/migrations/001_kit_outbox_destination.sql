-- Commands and replies (lab 04 on): a row may name its own destination and carry the headers that tie a
-- conversation together. All nullable: an event row leaves them empty and goes to the relay's default
-- exchange with the routing key `<type>.<aggregate id>`, as before. Adding nullable columns without a default
-- only changes the catalog, so this is instant on a full outbox too.
ALTER TABLE outbox
  ADD COLUMN exchange       text,
  ADD COLUMN routing_key    text,
  ADD COLUMN correlation_id text,
  ADD COLUMN causation_id   text,
  ADD COLUMN reply_to       text;
