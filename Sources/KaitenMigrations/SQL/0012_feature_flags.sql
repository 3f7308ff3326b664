-- Feature flags: the definition a client writes (variants, ordered targetings, the default strategy) kept as
-- the wire writes it; slugs double as the key OFREP evaluates a flag by.
CREATE TABLE feature_flag (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    slug text NOT NULL,
    name text NOT NULL,
    description text,
    type text NOT NULL CHECK (type IN ('boolean', 'string', 'number', 'object')),
    variants jsonb NOT NULL,
    targetings jsonb NOT NULL,
    default_variant jsonb NOT NULL,
    metadata jsonb NOT NULL,
    enabled boolean NOT NULL,
    event_name text NOT NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT feature_flag_organization_id_slug_key UNIQUE (organization_id, slug)
);
CREATE INDEX feature_flag_page ON feature_flag (organization_id, created_at DESC, id DESC);
