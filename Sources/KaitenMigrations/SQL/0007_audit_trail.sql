-- The audit trail: every event the worker consumed, per organization and, for instance-scoped events,
-- per instance. Written by the audit-trail consumer; deleting an instance keeps its entries, unlinked.
CREATE TABLE audit_trail (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    instance_id uuid REFERENCES instance (id) ON DELETE SET NULL,
    event_name text NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz(3) NOT NULL DEFAULT now(),
    payload jsonb NOT NULL
);
CREATE INDEX audit_trail_instance ON audit_trail (organization_id, instance_id, occurred_at DESC, id DESC);
CREATE INDEX audit_trail_occurred_at ON audit_trail (occurred_at DESC);
CREATE INDEX audit_trail_feed ON audit_trail (organization_id, event_name, occurred_at DESC, id);
