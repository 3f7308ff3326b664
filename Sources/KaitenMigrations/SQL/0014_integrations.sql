-- Integrations: a customer's or an instance's link to its record in a third-party system, one per adapter
-- (`kaiten.integration.crm.attio`). The record's id is unique per organization and adapter, so a connector
-- can find the one Kaiten resource a record stands for.
CREATE TABLE customer_integration (
    customer_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    adapter text NOT NULL,
    external_id text NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    web_url text,
    synced_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    PRIMARY KEY (customer_id, adapter),
    FOREIGN KEY (customer_id, organization_id) REFERENCES customer (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT customer_integration_external_id_key UNIQUE (organization_id, adapter, external_id)
);

CREATE TABLE instance_integration (
    instance_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    adapter text NOT NULL,
    external_id text NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    web_url text,
    synced_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    PRIMARY KEY (instance_id, adapter),
    FOREIGN KEY (instance_id, organization_id) REFERENCES instance (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT instance_integration_external_id_key UNIQUE (organization_id, adapter, external_id)
);
