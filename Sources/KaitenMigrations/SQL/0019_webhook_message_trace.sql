-- The trace context of the fan-out that recorded a webhook message: each delivery attempt's span continues it,
-- so one trace runs from the API request to every attempt.
ALTER TABLE webhook_message ADD COLUMN traceparent text;
