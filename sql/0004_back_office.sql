-- Back office: staff sessions, login throttling, routing rules, public
-- holidays, the audit trail, webhooks with their delivery log, and citizen
-- notifications.

CREATE TABLE staff_sessions (
  -- sha256 of the cookie token; the token itself is never stored.
  id_hash       text PRIMARY KEY,
  user_id       integer NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  ip            text,
  user_agent    text
);
CREATE INDEX staff_sessions_user_idx ON staff_sessions (user_id);

-- Failed logins per username and per client address, for backoff.
CREATE TABLE login_throttle (
  key            text PRIMARY KEY,
  failures       integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE routing_rules (
  id           serial PRIMARY KEY,
  position     integer NOT NULL,
  name         text NOT NULL,
  -- Empty array = any field / any area.
  field_codes  text[] NOT NULL DEFAULT '{}',
  area_ids     integer[] NOT NULL DEFAULT '{}',
  keywords     text[] NOT NULL DEFAULT '{}',
  unit_id      integer NOT NULL REFERENCES units (id),
  auto_assign  boolean NOT NULL DEFAULT true,
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routing_rules_position_idx ON routing_rules (position, id);

-- Local dates (Asia/Ho_Chi_Minh) that are not working days, and make-up
-- working Saturdays, as decided each year by the government.
CREATE TABLE calendar_days (
  day    date PRIMARY KEY,
  kind   text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name   text NOT NULL
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  actor_id    integer REFERENCES staff_users (id),
  action      text NOT NULL,
  entity      text NOT NULL,
  entity_id   text NOT NULL,
  before      text,
  after       text,
  reason      text,
  ip          text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);

ALTER TABLE reports ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE reports ADD COLUMN declined_at timestamptz;
ALTER TABLE reports ADD COLUMN rule_id integer REFERENCES routing_rules (id);
-- Merged children point at their parent; without this, every report deletion
-- scans the whole table for children.
CREATE INDEX reports_parent_idx ON reports (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX reports_unit_status_created_idx ON reports (unit_id, status, created_at DESC, id DESC);
CREATE INDEX reports_open_due_idx ON reports (due_at, id) WHERE status IN ('received', 'verified', 'assigned', 'in_progress', 'reopened');
CREATE INDEX reports_created_desc_idx ON reports (created_at DESC, id DESC);

ALTER TABLE report_events ADD COLUMN reason text;

CREATE TABLE response_templates (
  id          serial PRIMARY KEY,
  field_code  text REFERENCES fields (code),
  title       text NOT NULL,
  body_vi     text NOT NULL,
  body_en     text NOT NULL
);

CREATE TABLE webhooks (
  id          serial PRIMARY KEY,
  unit_id     integer REFERENCES units (id),
  url         text NOT NULL,
  secret      text NOT NULL,
  events      text[] NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id               bigserial PRIMARY KEY,
  outbox_id        bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  webhook_id       integer NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  last_status      integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (outbox_id, webhook_id)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL;

-- Fanned out from the outbox, so a crash between the change and the fan-out
-- loses nothing: the outbox row stays pending until this is written.
ALTER TABLE outbox ADD COLUMN dispatched_at timestamptz;

CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  report_id   bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  recipient   text NOT NULL CHECK (recipient IN ('reporter', 'follower', 'unit')),
  follower_id bigint REFERENCES report_followers (id) ON DELETE CASCADE,
  channel     text NOT NULL CHECK (channel IN ('page', 'email')),
  status      text NOT NULL,
  message_vi  text NOT NULL,
  message_en  text NOT NULL,
  sent_at     timestamptz,
  -- An e-mail being sent by a worker; another may take it once this passes.
  lease_until timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_report_idx ON notifications (report_id, id);
CREATE INDEX notifications_email_pending_idx ON notifications (id) WHERE channel = 'email' AND sent_at IS NULL;
