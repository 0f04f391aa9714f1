-- The console's figures move from SQL rollups to an in-memory column store
-- per API worker (server/services/stats-store.ts), loaded once and kept
-- current from the rows changed since its last look.
--
-- Why: at day × ward × field × unit × status × bucket the rollup held 697,561
-- rows for 1,000,000 reports (1.4× compression), so reading it cost about as
-- much as reading the reports, and ten viewers queued seconds behind each
-- other. Forty bytes per report in typed arrays answer any filter in one pass
-- of a few milliseconds, exactly (medians included), without a per-request
-- read of the reports table.

DROP TRIGGER reports_stats_rollups ON reports;
DROP FUNCTION stats_rollups_trigger();
DROP FUNCTION stats_rollups_add_range(bigint, bigint);
DROP FUNCTION stats_rollups_changed(reports, reports);
DROP FUNCTION stats_rollups_apply(reports, integer);
DROP FUNCTION stats_speed(timestamptz, timestamptz, timestamptz);
DROP TABLE stats_daily;
DROP TABLE stats_hex_daily;
DROP INDEX reports_handling_idx;
DROP FUNCTION stats_handling_bucket(timestamptz, timestamptz);

-- The transaction that last wrote each report. A reader that remembers the
-- oldest transaction still running when it last looked (the xmin of its
-- snapshot) finds every report changed since with `stats_xid >= that xmin`:
-- a transaction committing late has an xid at or above it, so nothing is
-- missed, which a timestamp or a sequence (both taken before commit) cannot
-- promise. Existing rows get 1: the store's first load reads them all anyway.
ALTER TABLE reports ADD COLUMN stats_xid xid8 NOT NULL DEFAULT '1';
ALTER TABLE reports ALTER COLUMN stats_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX reports_stats_xid_idx ON reports (stats_xid);

CREATE FUNCTION reports_stats_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.stats_xid := pg_current_xact_id();
  RETURN NEW;
END
$$;

CREATE TRIGGER reports_stats_touch
BEFORE UPDATE ON reports
FOR EACH ROW EXECUTE FUNCTION reports_stats_touch();

-- A reopen is counted in the period it happens: the store reads its time from
-- the timeline, for the few reports that were reopened.
CREATE INDEX report_events_reopened_idx ON report_events (report_id, created_at) WHERE to_status = 'reopened';

-- Reports are not deleted by the product, but an operator may; the store
-- learns of a deletion the same way it learns of a change.
CREATE TABLE reports_deleted (
  report_id  bigint NOT NULL,
  stats_xid  xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX reports_deleted_xid_idx ON reports_deleted (stats_xid);

CREATE FUNCTION reports_stats_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_deleted (report_id) VALUES (OLD.id);
  RETURN OLD;
END
$$;

CREATE TRIGGER reports_stats_deleted
AFTER DELETE ON reports
FOR EACH ROW EXECUTE FUNCTION reports_stats_deleted();
