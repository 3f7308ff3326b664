-- Webhooks: endpoints, the messages the fan-out consumer records, one delivery per message and endpoint,
-- and every HTTP attempt. The retry schedule lives here (next_attempt_at), so it survives restarts.

CREATE TABLE webhook_endpoint (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    url text NOT NULL,
    description text NOT NULL DEFAULT '',
    -- NULL: every event type.
    event_types text[],
    enabled boolean NOT NULL DEFAULT true,
    disabled_reason text,
    disabled_at timestamptz,
    -- The signing secret (whsec_…), kept in plaintext because HMAC needs it; the rotated-out one signs too
    -- until previous_secret_expires_at.
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    -- Start of the current run of failed attempts; NULL after any success.
    failing_since timestamptz,
    -- The delivery lease: while it runs, one delivery worker owns the endpoint, so at most one request to it
    -- is in flight.
    lease_until timestamptz NOT NULL DEFAULT '-infinity',
    created_by_id uuid REFERENCES "user" (id) ON DELETE SET NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoint_organization ON webhook_endpoint (organization_id, created_at DESC, id DESC);

-- One row per consumed event (its id is the outbox id, stable across retries as svix-id), and one per test
-- message, which targets a single endpoint. The payload is the exact body signed and sent.
CREATE TABLE webhook_message (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    sequence bigserial NOT NULL UNIQUE,
    event_name text NOT NULL,
    event_type text NOT NULL,
    payload text NOT NULL,
    target_endpoint_id uuid REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX webhook_message_organization ON webhook_message (organization_id, created_at);
CREATE INDEX webhook_message_retention ON webhook_message (created_at);

CREATE TABLE webhook_delivery (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    message_id uuid NOT NULL REFERENCES webhook_message (id) ON DELETE CASCADE,
    -- The message's sequence: an endpoint's due deliveries go out in this order.
    sequence bigint NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    -- scheduled: the retry schedule applies; manual: one attempt, asked for through the API.
    trigger text NOT NULL DEFAULT 'scheduled' CHECK (trigger IN ('scheduled', 'manual')),
    attempts integer NOT NULL DEFAULT 0,
    -- Attempts made before the current round of the schedule: a replay starts a new round.
    round_start integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    UNIQUE (endpoint_id, message_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_endpoint_queue ON webhook_delivery (endpoint_id, sequence) WHERE status = 'pending';

CREATE TABLE webhook_attempt (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    delivery_id uuid NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL,
    message_id uuid NOT NULL,
    attempt_number integer NOT NULL,
    trigger text NOT NULL,
    url text NOT NULL,
    succeeded boolean NOT NULL,
    response_status integer,
    response_body text,
    error text,
    duration_ms integer NOT NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempt_endpoint ON webhook_attempt (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery_id);
