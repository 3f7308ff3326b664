-- Components, releases and the deployment log of the zones 0002 created.
--
-- Every reference carries the organization in a composite foreign key, so a row can only ever point at a row
-- of its own organization, and another organization's id fails exactly like a missing one.

CREATE INDEX deployment_zone_page ON deployment_zone (organization_id, created_at DESC, id DESC);

-- One version of a deployable piece. A version that a release holds is never edited: changing it writes a new
-- row pointing at it through previous_component_id.
CREATE TABLE component (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    previous_component_id uuid,
    name text NOT NULL,
    version text NOT NULL,
    slug text NOT NULL,
    description text,
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT component_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT component_name_version_unique UNIQUE (organization_id, name, version),
    CONSTRAINT component_id_organization_id_key UNIQUE (id, organization_id),
    -- A predecessor that goes away (it can only while no release holds it) leaves its successor standing.
    CONSTRAINT component_previous_component_fkey FOREIGN KEY (previous_component_id, organization_id)
        REFERENCES component (id, organization_id) ON DELETE SET NULL (previous_component_id)
);
CREATE INDEX component_page ON component (organization_id, created_at DESC, id DESC);

-- Immutable once created: there is no updated_* pair.
CREATE TABLE release (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    version text NOT NULL,
    slug text NOT NULL,
    description text,
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT release_organization_id_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT release_version_unique UNIQUE (version, organization_id),
    CONSTRAINT release_id_organization_id_key UNIQUE (id, organization_id)
);
CREATE INDEX release_page ON release (organization_id, created_at DESC, id DESC);

-- The components a release was created with. A held component cannot be deleted; a deleted release lets go
-- of its components.
CREATE TABLE component_release (
    component_id uuid NOT NULL,
    release_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    PRIMARY KEY (component_id, release_id),
    CONSTRAINT component_release_component_fkey FOREIGN KEY (component_id, organization_id)
        REFERENCES component (id, organization_id) ON DELETE RESTRICT,
    CONSTRAINT component_release_release_fkey FOREIGN KEY (release_id, organization_id)
        REFERENCES release (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX component_release_release ON component_release (release_id);

-- The append-only log of what each zone ran. A zone's current release is its newest row; `seq` orders rows
-- written at the same instant. A release with a recorded deployment cannot be deleted.
CREATE TABLE deployment (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    deployment_zone_id uuid NOT NULL,
    release_id uuid NOT NULL,
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    seq bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT deployment_deployment_zone_fkey FOREIGN KEY (deployment_zone_id, organization_id)
        REFERENCES deployment_zone (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT deployment_release_fkey FOREIGN KEY (release_id, organization_id)
        REFERENCES release (id, organization_id) ON DELETE RESTRICT
);
CREATE INDEX deployment_zone_history ON deployment (deployment_zone_id, created_at DESC, seq DESC);
CREATE INDEX deployment_release ON deployment (release_id);
