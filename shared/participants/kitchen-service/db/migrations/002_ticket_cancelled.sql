-- Lab 05's Cancel Order saga cancels tickets.
ALTER TABLE tickets DROP CONSTRAINT tickets_state_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_state_check CHECK (state IN ('CREATE_PENDING', 'APPROVED', 'REJECTED', 'CANCELLED'));
