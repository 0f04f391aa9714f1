-- A report's deadline falls after the moment it was received. Every writer in
-- the app keeps to that (the deadline is working days after receipt, and a
-- staff change must be later); the Open311 importer did not, so an import
-- could carry an expected_datetime at or before requested_datetime. Such a
-- deadline allows no time at all: the statistics scored the report both as
-- late (on-time rate) and as handled instantly (speed), and the inbox showed
-- it three times late from its first second.
--
-- Reports that break the rule already lose that deadline (NULL: no deadline,
-- as when a dump gives none), and the old value goes to their timeline as a
-- staff deadline change would (deadline_changed, not public, note
-- "old → new"), so nothing is lost. updated_at moves, so Open311 clients
-- syncing with updated_after see the change.
--
-- The constraint is then checked on every row, not added NOT VALID and
-- left: PostgreSQL applies a NOT VALID check to every later UPDATE, so each
-- old report still breaking it could never again be assigned, resolved or
-- closed. The scan runs once, with the migrations, before any worker starts.
INSERT INTO report_events (report_id, type, public, note, reason)
SELECT id, 'deadline_changed', false,
       to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ' → —',
       'The deadline was not after the time the report was received (sql/0015)'
FROM reports
WHERE due_at <= created_at;

UPDATE reports SET due_at = NULL, updated_at = now() WHERE due_at <= created_at;

ALTER TABLE reports ADD CONSTRAINT reports_due_after_created CHECK (due_at IS NULL OR due_at > created_at);
