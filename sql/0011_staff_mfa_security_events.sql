-- Staff authentication to ASVS 5.0 L2 (V6) and the security event log:
-- a TOTP second factor with single-use recovery codes, forced password
-- change after an admin reset, and audit rows for anonymous or failed events.

-- The TOTP secret is never sent back by any API once enrolment is confirmed.
-- The pending secret is the one shown during enrolment, until a first code
-- confirms it. totp_last_step is the last 30-second step accepted, so the same
-- code (or an older one) cannot be replayed.
ALTER TABLE staff_users ADD COLUMN totp_secret text;
ALTER TABLE staff_users ADD COLUMN totp_pending_secret text;
ALTER TABLE staff_users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE staff_users ADD COLUMN totp_last_step bigint;
-- Set by an admin reset: the next session may only change the password.
ALTER TABLE staff_users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE staff_users ADD COLUMN password_changed_at timestamptz;

-- sha256 of each recovery code (120 random bits, so a fast hash is enough).
CREATE TABLE staff_recovery_codes (
  id          serial PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  code_hash   text NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, code_hash)
);

-- Security events share the audit trail. Rows written before this are admin
-- changes that succeeded. client names a non-staff actor (an API key).
ALTER TABLE audit_log ADD COLUMN outcome text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failure', 'refused'));
ALTER TABLE audit_log ADD COLUMN client text;
-- The admin browser filters by time, action and actor, newest first.
CREATE INDEX audit_log_created_idx ON audit_log (created_at, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id) WHERE actor_id IS NOT NULL;
