-- A usage report's transactionId is remembered for the idempotency window (35 days), not forever: a key
-- may come back once its window has passed, and then counts as a new report. Within the window, the
-- pair's advisory lock (held while a report looks its key up and journals it) keeps a key unique, so the
-- unique index becomes the index that lookup uses.
DROP INDEX usage_ledger_transaction;
CREATE INDEX usage_ledger_transaction ON usage_ledger (organization_id, instance_id, entitlement_id, transaction_id, reported_at)
    WHERE transaction_id IS NOT NULL;
