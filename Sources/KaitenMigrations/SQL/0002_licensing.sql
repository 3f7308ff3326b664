-- The licensing core: entitlements and their groups, licenses in families with their grants, deployment
-- zones, instances, usage and metadata fields.
--
-- Composite foreign keys carry organization_id, so a row can only ever reference rows of its own
-- organization: a foreign id in a request body fails the key and reads as "not found".

CREATE TYPE license_type AS ENUM ('DEVELOPMENT', 'TRIAL', 'PAID', 'COMMUNITY');
CREATE TYPE license_lifecycle_state AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED');
CREATE TYPE entitlement_type AS ENUM ('BOOLEAN', 'NUMBER', 'CONFIG', 'NUMBER_AI_CREDIT');
CREATE TYPE aggregation_method AS ENUM ('SUM', 'COUNT', 'AVERAGE', 'MAX', 'MIN', 'LATEST');
CREATE TYPE entitlement_reset_period AS ENUM ('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR');
CREATE TYPE entitlement_reset_anchor AS ENUM ('CALENDAR', 'LICENSE_START');
CREATE TYPE instance_status AS ENUM ('HEALTHY', 'DEGRADED', 'INCIDENT', 'MAINTENANCE');
CREATE TYPE metadata_field_resource_type AS ENUM ('DEPLOYMENT_ZONE', 'INSTANCE');

CREATE TABLE entitlement (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    type entitlement_type NOT NULL,
    aggregation_method aggregation_method,
    icon text,
    unit_singular text,
    unit_plural text,
    sale_unit_singular text,
    sale_unit_plural text,
    sale_unit_factor double precision,
    user_facing boolean NOT NULL DEFAULT false,
    display_order integer NOT NULL DEFAULT 0 CHECK (display_order >= 0),
    warning_threshold_percent smallint NOT NULL DEFAULT 0 CHECK (warning_threshold_percent BETWEEN 0 AND 100),
    reset_period entitlement_reset_period,
    reset_anchor entitlement_reset_anchor,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT entitlement_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT entitlement_id_organization_id_key UNIQUE (id, organization_id),
    CONSTRAINT entitlement_aggregation_matches_type CHECK (
        (type IN ('NUMBER', 'NUMBER_AI_CREDIT')) = (aggregation_method IS NOT NULL)),
    CONSTRAINT entitlement_units_only_for_numbers CHECK (
        type IN ('NUMBER', 'NUMBER_AI_CREDIT')
        OR (unit_singular IS NULL AND unit_plural IS NULL AND sale_unit_singular IS NULL
            AND sale_unit_plural IS NULL AND sale_unit_factor IS NULL)),
    CONSTRAINT entitlement_units_together CHECK ((unit_singular IS NULL) = (unit_plural IS NULL)),
    CONSTRAINT entitlement_sale_units_together CHECK (
        (sale_unit_singular IS NULL) = (sale_unit_plural IS NULL)
        AND (sale_unit_singular IS NULL) = (sale_unit_factor IS NULL)
        AND (sale_unit_singular IS NULL OR unit_singular IS NOT NULL)
        AND (sale_unit_factor IS NULL OR sale_unit_factor > 0)),
    CONSTRAINT entitlement_reset_together CHECK ((reset_period IS NULL) = (reset_anchor IS NULL)),
    CONSTRAINT entitlement_reset_only_for_numbers CHECK (
        reset_period IS NULL OR (type IN ('NUMBER', 'NUMBER_AI_CREDIT') AND aggregation_method <> 'LATEST'))
);
CREATE INDEX entitlement_page ON entitlement (organization_id, created_at DESC, id DESC);

CREATE TABLE entitlement_group (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT entitlement_group_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT entitlement_group_id_organization_id_key UNIQUE (id, organization_id)
);
CREATE INDEX entitlement_group_page ON entitlement_group (organization_id, created_at DESC, id DESC);

CREATE TABLE entitlement_group_membership (
    entitlement_group_id uuid NOT NULL,
    entitlement_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    PRIMARY KEY (entitlement_group_id, entitlement_id),
    FOREIGN KEY (entitlement_group_id, organization_id) REFERENCES entitlement_group (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (entitlement_id, organization_id) REFERENCES entitlement (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX entitlement_group_membership_entitlement ON entitlement_group_membership (entitlement_id);

CREATE TABLE license_family (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    slug text NOT NULL,
    last_version integer NOT NULL DEFAULT 0,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT license_family_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT license_family_id_organization_id_key UNIQUE (id, organization_id)
);
CREATE INDEX license_family_page ON license_family (organization_id, created_at DESC, id DESC);

-- One row is one version of a family.
CREATE TABLE license (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    family_id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    description text NOT NULL DEFAULT '',
    type license_type NOT NULL,
    version integer NOT NULL,
    version_name text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    lifecycle_state license_lifecycle_state NOT NULL DEFAULT 'PUBLISHED',
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    FOREIGN KEY (family_id, organization_id) REFERENCES license_family (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT license_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT license_id_organization_id_key UNIQUE (id, organization_id),
    CONSTRAINT license_family_id_version_key UNIQUE (family_id, version),
    CONSTRAINT license_default_is_published CHECK (NOT is_default OR lifecycle_state = 'PUBLISHED')
);
CREATE UNIQUE INDEX license_one_default_per_family ON license (family_id) WHERE is_default;
CREATE INDEX license_page ON license (organization_id, created_at DESC, id DESC);

CREATE TABLE license_entitlement (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    license_id uuid NOT NULL,
    entitlement_id uuid NOT NULL,
    value jsonb NOT NULL,
    limit_cap_exceeded_overage_percent smallint,
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    FOREIGN KEY (license_id, organization_id) REFERENCES license (id, organization_id) ON DELETE RESTRICT,
    FOREIGN KEY (entitlement_id, organization_id) REFERENCES entitlement (id, organization_id) ON DELETE RESTRICT,
    CONSTRAINT license_entitlement_license_id_entitlement_id_key UNIQUE (license_id, entitlement_id),
    CONSTRAINT license_entitlement_value_shape CHECK (
        (value ->> 'type' = 'number' AND jsonb_typeof(value -> 'value') = 'number')
        OR (value ->> 'type' = 'boolean' AND jsonb_typeof(value -> 'value') = 'boolean')
        OR (value ->> 'type' = 'object' AND jsonb_typeof(value -> 'value') = 'object')),
    CONSTRAINT license_entitlement_overage CHECK (
        CASE WHEN value ->> 'type' = 'number' THEN
            limit_cap_exceeded_overage_percent IS NOT NULL
            AND ((value -> 'value')::numeric = -1) = (limit_cap_exceeded_overage_percent = -1)
            AND limit_cap_exceeded_overage_percent >= -1
        ELSE limit_cap_exceeded_overage_percent IS NULL END)
);
CREATE INDEX license_entitlement_entitlement ON license_entitlement (entitlement_id);

CREATE TABLE deployment_zone (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    type text NOT NULL,
    description text NOT NULL DEFAULT '',
    metadata jsonb NOT NULL DEFAULT '{}',
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT deployment_zone_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT deployment_zone_id_organization_id_key UNIQUE (id, organization_id)
);

CREATE TABLE instance (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    description text NOT NULL DEFAULT '',
    customer_id uuid NOT NULL,
    license_id uuid NOT NULL,
    deployment_zone_id uuid,
    start_license_date timestamptz(3) NOT NULL DEFAULT now(),
    end_license_date timestamptz(3) NOT NULL DEFAULT now() + interval '1 year',
    metadata jsonb NOT NULL DEFAULT '{}',
    status instance_status NOT NULL DEFAULT 'HEALTHY',
    lifecycle_stage text,
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT instance_customer_fkey FOREIGN KEY (customer_id, organization_id)
        REFERENCES customer (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT instance_license_fkey FOREIGN KEY (license_id, organization_id)
        REFERENCES license (id, organization_id) ON DELETE RESTRICT,
    CONSTRAINT instance_deployment_zone_fkey FOREIGN KEY (deployment_zone_id, organization_id)
        REFERENCES deployment_zone (id, organization_id) ON DELETE SET NULL (deployment_zone_id),
    CONSTRAINT instance_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT instance_id_organization_id_key UNIQUE (id, organization_id)
);
CREATE INDEX instance_page ON instance (organization_id, created_at DESC, id DESC);
CREATE INDEX instance_license ON instance (license_id);

-- An archived license is never put on an instance, whatever writes the row.
CREATE FUNCTION instance_license_not_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' OR NEW.license_id IS DISTINCT FROM OLD.license_id)
        AND EXISTS (SELECT 1 FROM license WHERE id = NEW.license_id AND lifecycle_state = 'ARCHIVED') THEN
        RAISE EXCEPTION 'license % is archived', NEW.license_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'instance_license_not_archived';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER instance_license_not_archived BEFORE INSERT OR UPDATE OF license_id ON instance
    FOR EACH ROW EXECUTE FUNCTION instance_license_not_archived();

-- The running total of one entitlement on one instance, in its current window.
CREATE TABLE entitlement_usage (
    instance_id uuid NOT NULL,
    entitlement_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    value jsonb NOT NULL,
    period_start timestamptz(3),
    report_seq bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (entitlement_id, instance_id),
    FOREIGN KEY (instance_id, organization_id) REFERENCES instance (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (entitlement_id, organization_id) REFERENCES entitlement (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT entitlement_usage_value_shape CHECK (
        value ->> 'type' = 'number' AND jsonb_typeof(value -> 'value') = 'number'
        AND jsonb_typeof(value -> 'event_count') = 'number' AND (value -> 'event_count')::numeric >= 0)
);
CREATE INDEX entitlement_usage_instance ON entitlement_usage (instance_id);

-- Accepted usage reports, one row each: the answer a report under the same transactionId replays.
CREATE TABLE usage_ledger (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    instance_id uuid NOT NULL,
    entitlement_id uuid NOT NULL,
    transaction_id text,
    report_seq bigint NOT NULL,
    reported_at timestamptz(3) NOT NULL,
    behavior text NOT NULL,
    value numeric NOT NULL,
    value_after numeric NOT NULL,
    event_count_after bigint NOT NULL,
    response jsonb NOT NULL,
    metadata jsonb,
    FOREIGN KEY (instance_id, organization_id) REFERENCES instance (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (entitlement_id, organization_id) REFERENCES entitlement (id, organization_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX usage_ledger_transaction ON usage_ledger (organization_id, instance_id, entitlement_id, transaction_id)
    WHERE transaction_id IS NOT NULL;
CREATE INDEX usage_ledger_reported_at ON usage_ledger (reported_at);

CREATE TABLE metadata_field (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    resource_type metadata_field_resource_type NOT NULL,
    key text NOT NULL,
    label text NOT NULL,
    json_schema jsonb NOT NULL,
    display_order integer NOT NULL DEFAULT 0,
    archived_at timestamptz(3),
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    updated_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX metadata_field_active_key ON metadata_field (organization_id, resource_type, key) WHERE archived_at IS NULL;
CREATE INDEX metadata_field_order ON metadata_field (organization_id, resource_type, display_order, id);
