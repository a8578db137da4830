-- Lab 07: customer-service publishes its customers' changes as events (CustomerCreated,
-- CustomerCreditLimitChanged). Each carries the customer's version, so a reader can tell an older change from
-- a newer one whatever order they reach it in.
ALTER TABLE customers ADD COLUMN version integer NOT NULL DEFAULT 1;
