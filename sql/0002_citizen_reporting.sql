-- Citizen reporting: private management tokens, followers ("me too"),
-- idempotent submissions, and the transactional outbox for notifications.

-- sha256 of the reporter's private management token; the token itself is never stored.
ALTER TABLE reports ADD COLUMN manage_token_hash text;
-- Set when a client marked abusive files a report, so it waits for review.
ALTER TABLE reports ADD COLUMN needs_review boolean NOT NULL DEFAULT false;
CREATE INDEX reports_field_created_idx ON reports (field_code, created_at);

CREATE TABLE report_followers (
  id          bigserial PRIMARY KEY,
  report_id   bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  name        text,
  phone       text,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_followers_report_idx ON report_followers (report_id);

-- One row per Idempotency-Key. A key in 'in_flight' older than a few minutes
-- belongs to a request that died and may be taken over.
CREATE TABLE idempotency_keys (
  key              text PRIMARY KEY,
  scope            text NOT NULL,
  request_hash     text NOT NULL,
  state            text NOT NULL CHECK (state IN ('in_flight', 'done')),
  response_status  integer,
  response_body    text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Written in the same transaction as the change it announces; a worker
-- delivers it (webhooks, e-mail) at least once, even across crashes.
CREATE TABLE outbox (
  id            bigserial PRIMARY KEY,
  event_id      text NOT NULL UNIQUE,
  type          text NOT NULL,
  report_id     bigint REFERENCES reports (id) ON DELETE CASCADE,
  unit_id       integer REFERENCES units (id),
  payload       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE delivered_at IS NULL;
