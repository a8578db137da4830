-- Lab 05 (reread value): every change of an order, its state or its total, adds one to its version. A saga
-- that read the order remembers the version; rereading it before a write tells whether anything changed
-- meanwhile, even a change that put the same value back.
ALTER TABLE orders ADD COLUMN version integer NOT NULL DEFAULT 1;
