-- Tenancy, identity, customers, the outbox and the inbox.
--
-- Timestamps that order pages are timestamptz(3): a keyset cursor carries the value through JSON and
-- back, and millisecond values survive that round trip exactly.

CREATE TYPE user_type AS ENUM ('human', 'machine');
CREATE TYPE token_kind AS ENUM ('organization', 'platform');

CREATE TABLE organization (
    id uuid PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    name text NOT NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE "user" (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text NOT NULL UNIQUE,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    deleted_at timestamptz,
    email text UNIQUE,
    name text NOT NULL,
    slug text,
    type user_type NOT NULL DEFAULT 'human',
    organization_id uuid REFERENCES organization (id) ON DELETE CASCADE,
    CONSTRAINT machine_user_has_slug CHECK (type <> 'machine' OR slug IS NOT NULL),
    CONSTRAINT machine_user_has_no_email CHECK (type <> 'machine' OR email IS NULL OR external_id = 'system:kaiten'),
    CONSTRAINT machine_user_has_organization
        CHECK (type <> 'machine' OR organization_id IS NOT NULL OR external_id = 'system:kaiten')
);
CREATE UNIQUE INDEX user_machine_slug ON "user" (organization_id, slug) WHERE type = 'machine';
CREATE INDEX user_service_account_page ON "user" (organization_id, created_at DESC, id DESC) WHERE type = 'machine';

-- system:kaiten is the platform identity: it owns platform credentials and what they mint.
INSERT INTO "user" (id, external_id, email, name, slug, type)
VALUES ('00000000-0000-0000-0000-000000000001', 'system:kaiten', 'system@kaiten.sh', 'Kaiten', 'system:kaiten', 'machine');

CREATE FUNCTION refuse_system_user_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.external_id = 'system:kaiten' AND NEW.deleted_at IS NOT NULL THEN
        RAISE EXCEPTION 'the system:kaiten user cannot be deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER user_refuse_system_deletion BEFORE UPDATE OF deleted_at ON "user"
    FOR EACH ROW EXECUTE FUNCTION refuse_system_user_deletion();

CREATE TABLE user_on_organization (
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    PRIMARY KEY (organization_id, user_id)
);

CREATE FUNCTION add_system_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_on_organization (organization_id, user_id)
    VALUES (NEW.id, '00000000-0000-0000-0000-000000000001');
    RETURN NEW;
END $$;
CREATE TRIGGER organization_add_system_membership AFTER INSERT ON organization
    FOR EACH ROW EXECUTE FUNCTION add_system_membership();

CREATE FUNCTION refuse_system_membership_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.user_id = '00000000-0000-0000-0000-000000000001' AND NEW.deleted_at IS NOT NULL THEN
        RAISE EXCEPTION 'the system:kaiten membership cannot be removed' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER membership_refuse_system_removal BEFORE UPDATE OF deleted_at ON user_on_organization
    FOR EACH ROW EXECUTE FUNCTION refuse_system_membership_removal();

CREATE TABLE customer (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    external_customer_id text,
    domain text,
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT customer_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT customer_id_organization_id_key UNIQUE (id, organization_id)
);
CREATE INDEX customer_page ON customer (organization_id, created_at DESC, id DESC);
CREATE INDEX customer_external_id ON customer (organization_id, external_customer_id) WHERE external_customer_id IS NOT NULL;

CREATE TABLE token (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind token_kind NOT NULL DEFAULT 'organization',
    organization_id uuid REFERENCES organization (id) ON DELETE CASCADE,
    service_account_id uuid NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    lookup_hash text NOT NULL,
    scopes text[] NOT NULL DEFAULT '{}',
    created_by uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    expires_at timestamptz(3),
    revoked_by uuid REFERENCES "user" (id) ON DELETE SET NULL,
    revoked_date timestamptz(3),
    issued_by_platform_token_id uuid REFERENCES token (id) ON DELETE SET NULL,
    CONSTRAINT token_kind_matches_organization CHECK ((kind = 'organization') = (organization_id IS NOT NULL))
);
CREATE UNIQUE INDEX token_slug ON token (organization_id, service_account_id, slug) WHERE kind = 'organization';
CREATE UNIQUE INDEX token_platform_slug ON token (slug) WHERE kind = 'platform';
CREATE UNIQUE INDEX token_name ON token (organization_id, service_account_id, name)
    WHERE revoked_date IS NULL AND kind = 'organization';
CREATE UNIQUE INDEX token_platform_name ON token (name) WHERE revoked_date IS NULL AND kind = 'platform';
CREATE UNIQUE INDEX token_lookup_hash_active ON token (lookup_hash) WHERE revoked_date IS NULL;
CREATE INDEX token_page ON token (service_account_id, created_at DESC, id DESC);
CREATE INDEX token_issued_by ON token (issued_by_platform_token_id) WHERE issued_by_platform_token_id IS NOT NULL;

CREATE TABLE connector (
    name text PRIMARY KEY,
    version text NOT NULL,
    settings_schema jsonb NOT NULL DEFAULT '{}',
    entitlement_slug text,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now()
);

-- The transactional outbox. Every committed change writes its event here in the same transaction; the
-- relay reads the rows from the WAL (or claims them by polling) and publishes them.
CREATE TABLE outbox_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    event_name text NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    data jsonb NOT NULL,
    headers jsonb
);
CREATE INDEX idx_outbox_events_retention ON outbox_events (occurred_at, id);

-- What each consumer already processed, so a redelivered event is skipped.
CREATE TABLE inbox_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    source text NOT NULL,
    message_id text NOT NULL,
    consumer text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, source, message_id, consumer)
);
CREATE INDEX idx_inbox_events_retention ON inbox_events (processed_at, id);
