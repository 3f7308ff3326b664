-- Reads the console makes on every instance page: one pair's usage history, newest first (history, CSV, chart),
-- and the instances a deployment zone holds (zone lists and details).
CREATE INDEX usage_ledger_pair_history ON usage_ledger (instance_id, entitlement_id, reported_at DESC);
CREATE INDEX instance_deployment_zone ON instance (deployment_zone_id) WHERE deployment_zone_id IS NOT NULL;
-- The organization's audit trail, newest first (the console's trail page reads the newest events).
CREATE INDEX audit_trail_organization_time ON audit_trail (organization_id, occurred_at DESC, id DESC);
