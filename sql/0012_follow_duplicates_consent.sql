-- Trust (issue 13): one follow per person, e-mail followers confirm first,
-- the duplicate check keys on address and contact too, idempotent replies
-- keep no manage token, and the reporter's consent to store contact data.

-- Followers: the device that followed ('device:<id>', or 'ip:<address>' for a
-- client that sends no device id), and the double opt-in of an e-mail
-- follower. Only a confirmed address receives e-mail.
ALTER TABLE report_followers ADD COLUMN device_key text;
ALTER TABLE report_followers ADD COLUMN email_confirmed_at timestamptz;
-- sha256 of the single-use token in the confirmation link, cleared once used.
ALTER TABLE report_followers ADD COLUMN confirm_token_hash text;
ALTER TABLE report_followers ADD COLUMN confirm_expires_at timestamptz;

-- Earlier follows from the same phone or address on one report (the
-- endpoint never refused a repeat) collapse into the first, and the count
-- drops by as many, so the unique indexes below can be built.
WITH ranked AS (
  SELECT id, report_id,
         row_number() OVER (PARTITION BY report_id, phone ORDER BY id) AS by_phone,
         row_number() OVER (PARTITION BY report_id, lower(email) ORDER BY id) AS by_email
  FROM report_followers
), extra AS (
  DELETE FROM report_followers f USING ranked r
  WHERE f.id = r.id AND ((f.phone IS NOT NULL AND r.by_phone > 1) OR (f.email IS NOT NULL AND r.by_email > 1))
  RETURNING f.report_id
), dropped AS (
  SELECT report_id, count(*)::int AS n FROM extra GROUP BY report_id
)
UPDATE reports r SET follower_count = greatest(r.follower_count - d.n, 0) FROM dropped d WHERE r.id = d.report_id;

-- One follow per report and person, whichever of device, phone or e-mail
-- names them; enforced here, so two concurrent follows cannot both count.
CREATE UNIQUE INDEX report_followers_device_uq ON report_followers (report_id, device_key) WHERE device_key IS NOT NULL;
CREATE UNIQUE INDEX report_followers_phone_uq ON report_followers (report_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX report_followers_email_uq ON report_followers (report_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX report_followers_confirm_idx ON report_followers (confirm_token_hash) WHERE confirm_token_hash IS NOT NULL;

-- The path an e-mail links to when it is not the report's tracking page: the
-- follow confirmation's single-use link, cleared once the e-mail is sent.
ALTER TABLE notifications ADD COLUMN link text;

-- The sender's address key (see routes/rate-limit.ts), beside client_key
-- (the device when it sent one): the duplicate check refuses the same text
-- from the same device, address, phone or e-mail. Cleared by retention.
ALTER TABLE reports ADD COLUMN sender_address text;

-- Decree 13/2023/ND-CP: when the reporter agreed to the notice on how their
-- contact data is used, and which version of the notice they saw. Null when
-- no contact data was given (or it came through a partner's Open311 client).
ALTER TABLE reports ADD COLUMN contact_consent_at timestamptz;
ALTER TABLE reports ADD COLUMN contact_notice_version text;

-- Idempotency keys are now scoped by client and kept 24 hours; stored
-- replies no longer carry the manage token. Drop what is older and strip the
-- tokens from the rest.
DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours';
UPDATE idempotency_keys
SET response_body = ((response_body::jsonb) - 'manage_token' - 'manage_url')::text
WHERE response_body IS NOT NULL AND jsonb_typeof(response_body::jsonb) = 'object';
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
