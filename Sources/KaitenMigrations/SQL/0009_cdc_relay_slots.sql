-- The CDC relay's memory of the slots it created (`kaiten relay --mode cdc`).
--
-- A new slot streams only what commits after it; what the polling relay left unpublished before that
-- is the backlog, which the CDC relay publishes once right after creating the slot. The row is written
-- (backlog pending) before the slot is created and settled after the backlog went out, so a relay that
-- dies in between publishes the backlog again on its next start instead of skipping it.
CREATE TABLE outbox_relay_slots (
    slot_name text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    backlog_published_at timestamptz
);
