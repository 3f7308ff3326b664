-- Bookkeeping of the polling relay (`kaiten relay --mode poll`), on the outbox table itself.
--
-- The CDC relay reads inserts from the WAL and leaves these columns alone; the polling relay claims
-- unpublished rows (FOR UPDATE SKIP LOCKED), publishes them, and marks them published, retrying with
-- backoff and giving up after a number of attempts. Switching from CDC to polling marks what the slot
-- had confirmed as published first, so nothing is sent twice beyond the unconfirmed window.
ALTER TABLE outbox_events
    ADD COLUMN published_at timestamptz,
    ADD COLUMN relay_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN relay_available_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN relay_claimed_until timestamptz,
    ADD COLUMN relay_failed_at timestamptz,
    ADD COLUMN relay_last_error text;

CREATE INDEX outbox_events_pending ON outbox_events (relay_available_at, occurred_at, id)
    WHERE published_at IS NULL AND relay_failed_at IS NULL;
