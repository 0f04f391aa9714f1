-- Abuse defences: database-backed rate limits, anti-spam and review of abusive clients, contact retention.

-- Fixed-window request counters, one row per key and window, shared by every
-- API replica. UNLOGGED: a counter is worth nothing after a crash, and a
-- commit that touches only unlogged rows needs no WAL flush, which keeps the
-- per-request upsert cheap. No index on window_end: the table holds only the
-- last few windows, so the cleanup's scan is small and inserts stay lean.
CREATE UNLOGGED TABLE rate_limit_counters (
  key           text NOT NULL,
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  hits          integer NOT NULL DEFAULT 1,
  PRIMARY KEY (key, window_start)
);

-- Who sent a report: 'device:<id>' (the PWA's device id), 'api_key:<id>'
-- (an Open311 client) or 'ip:<address>' when nothing better is known.
-- Pseudonymous, so the retention job clears it with the contact details.
ALTER TABLE reports ADD COLUMN client_key text;
-- sha256 of the field and the normalised title and description, for the
-- "same text from the same client within minutes" check.
ALTER TABLE reports ADD COLUMN content_hash text;
-- When the retention job removed the reporter's contact details.
ALTER TABLE reports ADD COLUMN anonymised_at timestamptz;

CREATE INDEX reports_content_hash_idx ON reports (content_hash, created_at) WHERE content_hash IS NOT NULL;
-- What the retention job still has to do; rows leave the index once done.
CREATE INDEX reports_retention_idx ON reports (closed_at) WHERE anonymised_at IS NULL AND closed_at IS NOT NULL;

-- Clients and phone numbers a dispatcher marked abusive: their later reports
-- wait for review. Unmarking keeps the row (revoked_at) so the history stays.
CREATE TABLE abusive_marks (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('client', 'phone')),
  value       text NOT NULL,
  reason      text NOT NULL,
  marked_by   integer REFERENCES staff_users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  UNIQUE (kind, value)
);
