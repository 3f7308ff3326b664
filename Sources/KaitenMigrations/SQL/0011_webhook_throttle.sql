-- A per-endpoint delivery rate (Svix's throttleRate): at most this many attempts per second reach the
-- endpoint. NULL: as fast as it answers, one request at a time.
ALTER TABLE webhook_endpoint ADD COLUMN throttle_rate integer CHECK (throttle_rate > 0);
