-- Console sign-in. A browser holds a random secret in a cookie; only its SHA-256 digest is stored here, so a
-- read of this table yields no usable session.
--
-- A session opened with a ksh_ token takes its scopes from the token at every request and ends when the token
-- is revoked or expires; one opened with an identity-provider JWT keeps the scopes the JWT carried and ends
-- with the JWT. Either ends when its user leaves the organization.
CREATE TABLE console_session (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    secret_digest text NOT NULL UNIQUE,
    organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    token_id uuid REFERENCES token (id) ON DELETE CASCADE,
    scopes text[] NOT NULL DEFAULT '{}',
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    expires_at timestamptz(3) NOT NULL
);

CREATE INDEX console_session_expires_at_idx ON console_session (expires_at);

-- A one-time sign-in link (`kaiten dev` prints one): redeeming it opens a session for its token and deletes it.
CREATE TABLE console_sign_in_link (
    secret_digest text PRIMARY KEY,
    token_id uuid NOT NULL REFERENCES token (id) ON DELETE CASCADE,
    expires_at timestamptz(3) NOT NULL
);
