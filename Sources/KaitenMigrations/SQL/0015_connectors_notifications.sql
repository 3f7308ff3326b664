-- Each organization's use of the registered connectors: whether it turned one on, and its settings.
-- Kaiten keeps settings in Vault; this port keeps them here, readable only through the connector operations,
-- which never answer a secret (a schema `writeOnly` property) back.
CREATE TABLE organization_connector (
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    connector_name text NOT NULL REFERENCES connector (name) ON DELETE CASCADE,
    activated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, connector_name)
);

CREATE TABLE connector_settings (
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    connector_name text NOT NULL REFERENCES connector (name) ON DELETE CASCADE,
    settings jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, connector_name)
);

-- Notifications are a per-user view over the audit trail: nothing is copied, only what each user read and
-- chose. Keyed by organization as well as user, because one user (system:kaiten above all) acts in many.
CREATE TABLE notification_read (
    user_id uuid NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    audit_trail_id uuid NOT NULL REFERENCES audit_trail (id) ON DELETE CASCADE,
    read_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, audit_trail_id)
);

-- "Mark all read" is a watermark rather than a row per notification.
CREATE TABLE notification_user_state (
    user_id uuid NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    read_all_before timestamptz NOT NULL DEFAULT '-infinity',
    PRIMARY KEY (user_id, organization_id)
);

-- Only choices that differ from the catalogue's default are stored, so a changed default still reaches
-- everyone who never chose.
CREATE TABLE notification_preference (
    user_id uuid NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    event_name text NOT NULL,
    channel text NOT NULL,
    enabled boolean NOT NULL,
    PRIMARY KEY (user_id, organization_id, event_name, channel)
);
