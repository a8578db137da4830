-- Lab 05: an order's reserved credit changes when its total is revised (the Revise Order saga). One row per
-- revision: the business key that makes a revision sent again (a retry, with a new message id) harmless, and
-- that lets its undo take back exactly what it added. UNDONE without having been APPLIED is a tombstone: the
-- undo overtook the revision, which must then not happen.
CREATE TABLE credit_revisions (
  revision_id uuid PRIMARY KEY,
  order_id    uuid NOT NULL,
  delta       integer NOT NULL, -- in cents, added to the order's reservation
  state       text NOT NULL CHECK (state IN ('APPLIED', 'UNDONE')),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
