-- Console statistics rollups, maintained on write.
--
-- At 1M reports a 30-day window holds ~90k reports; aggregating them per
-- request costs ~100 ms of CPU per figure. These tables hold the same facts
-- summed per local day and per combination of the filter dimensions, so a
-- window is ~3× fewer rows with nothing computed per report. A trigger on
-- reports keeps them exact in the writing transaction; figures that depend on
-- "now" (overdue, aging) are read from the open reports through a partial index.

-- Handling time (resolved_at − created_at) in 32 buckets, edges in hours, finest
-- where most reports are handled (two to five days).
-- Medians find their bucket in the rollups, then read only that bucket's
-- reports (reports_handling_idx) to get the exact value.
CREATE FUNCTION stats_handling_bucket(resolved_at timestamptz, created_at timestamptz) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT width_bucket(extract(epoch FROM (resolved_at - created_at))::float8 / 3600.0,
    '{0.5,1,2,3,4,6,8,12,16,20,24,30,36,42,48,54,60,66,72,84,96,108,120,144,168,192,240,288,360,480,720}'::float8[])::smallint
$$;

-- Rows of one day sit together (windows read few pages) and have room for
-- in-place updates (fillfactor) as reports move between statuses.
-- One row per local day × ward × field × unit (0 = not routed) × status ×
-- handling bucket (-1 = not resolved). district_id follows from ward_id.
CREATE TABLE stats_daily (
  day             date     NOT NULL,
  ward_id         integer  NOT NULL,
  district_id     integer  NOT NULL,
  field_code      text     NOT NULL,
  unit_id         integer  NOT NULL,
  status          text     NOT NULL,
  bucket          smallint NOT NULL,
  n               integer  NOT NULL,
  on_time         integer  NOT NULL,
  never_reopened  integer  NOT NULL,
  speed_sum       float8   NOT NULL,
  speed_n         integer  NOT NULL,
  rated           integer  NOT NULL,
  satisfied       integer  NOT NULL,
  PRIMARY KEY (day, ward_id, field_code, unit_id, status, bucket)
) WITH (fillfactor = 80);

-- The same counts per H3 cell (res 7; res 5 and 6 are its parents), for hotspots.
CREATE TABLE stats_hex_daily (
  day          date     NOT NULL,
  h3_r7        bigint   NOT NULL,
  h3_r6        bigint   NOT NULL,
  h3_r5        bigint   NOT NULL,
  ward_id      integer  NOT NULL,
  district_id  integer  NOT NULL,
  field_code   text     NOT NULL,
  unit_id      integer  NOT NULL,
  status       text     NOT NULL,
  bucket       smallint NOT NULL,
  n            integer  NOT NULL,
  PRIMARY KEY (day, h3_r7, ward_id, field_code, unit_id, status, bucket)
) WITH (fillfactor = 80);

-- The speed component of the satisfaction index: 1 when instant, 0.5 exactly
-- at the deadline, 0 at twice the deadline or later. Only meaningful for
-- resolved reports with a deadline (least/greatest skip NULLs).
CREATE FUNCTION stats_speed(created_at timestamptz, due_at timestamptz, resolved_at timestamptz) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT greatest(0, least(1, 1 - extract(epoch FROM (resolved_at - created_at))::float8
    / nullif(2 * extract(epoch FROM (due_at - created_at))::float8, 0)))
$$;

-- Adds (sign 1) or removes (sign -1) one report's contribution.
CREATE FUNCTION stats_rollups_apply(r reports, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  local_day date := (r.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
  resolved boolean := r.resolved_at IS NOT NULL;
  b smallint := CASE WHEN r.resolved_at IS NULL THEN -1 ELSE stats_handling_bucket(r.resolved_at, r.created_at) END;
  speed float8 := CASE WHEN resolved AND r.due_at IS NOT NULL THEN stats_speed(r.created_at, r.due_at, r.resolved_at) END;
BEGIN
  INSERT INTO stats_daily AS s (day, ward_id, district_id, field_code, unit_id, status, bucket,
    n, on_time, never_reopened, speed_sum, speed_n, rated, satisfied)
  VALUES (local_day, r.ward_id, r.district_id, r.field_code, coalesce(r.unit_id, 0), r.status, b,
    sign,
    CASE WHEN resolved AND r.resolved_at <= r.due_at THEN sign ELSE 0 END,
    CASE WHEN resolved AND r.reopen_count = 0 THEN sign ELSE 0 END,
    sign * coalesce(speed, 0),
    CASE WHEN speed IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN r.rating_satisfied IS NOT NULL THEN sign ELSE 0 END,
    CASE WHEN r.rating_satisfied THEN sign ELSE 0 END)
  ON CONFLICT (day, ward_id, field_code, unit_id, status, bucket) DO UPDATE SET
    n = s.n + excluded.n,
    on_time = s.on_time + excluded.on_time,
    never_reopened = s.never_reopened + excluded.never_reopened,
    speed_sum = s.speed_sum + excluded.speed_sum,
    speed_n = s.speed_n + excluded.speed_n,
    rated = s.rated + excluded.rated,
    satisfied = s.satisfied + excluded.satisfied;

  INSERT INTO stats_hex_daily AS s (day, h3_r7, h3_r6, h3_r5, ward_id, district_id, field_code, unit_id, status, bucket, n)
  VALUES (local_day, r.h3_r7, r.h3_r6, r.h3_r5, r.ward_id, r.district_id, r.field_code, coalesce(r.unit_id, 0), r.status, b, sign)
  ON CONFLICT (day, h3_r7, ward_id, field_code, unit_id, status, bucket) DO UPDATE SET n = s.n + excluded.n;
END
$$;

-- The columns that change what a report contributes.
CREATE FUNCTION stats_rollups_changed(a reports, b reports) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT (a.created_at, a.ward_id, a.district_id, a.field_code, a.unit_id, a.status, a.due_at, a.resolved_at,
          a.reopen_count, a.rating_satisfied, a.h3_r7)
    IS DISTINCT FROM
         (b.created_at, b.ward_id, b.district_id, b.field_code, b.unit_id, b.status, b.due_at, b.resolved_at,
          b.reopen_count, b.rating_satisfied, b.h3_r7)
$$;

CREATE FUNCTION stats_rollups_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Bulk loads (the demo seed) switch this off for their transaction and add
  -- the loaded range in one statement afterwards (stats_rollups_add_range).
  IF current_setting('civic.stats_bulk', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM stats_rollups_apply(NEW, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM stats_rollups_apply(OLD, -1);
  ELSIF stats_rollups_changed(OLD, NEW) THEN
    -- Lock the two keys in one order (status, bucket, unit), so two staff
    -- actions moving reports in opposite directions do not deadlock.
    IF (OLD.status, coalesce(stats_handling_bucket(OLD.resolved_at, OLD.created_at), -1), coalesce(OLD.unit_id, 0))
       <= (NEW.status, coalesce(stats_handling_bucket(NEW.resolved_at, NEW.created_at), -1), coalesce(NEW.unit_id, 0)) THEN
      PERFORM stats_rollups_apply(OLD, -1);
      PERFORM stats_rollups_apply(NEW, 1);
    ELSE
      PERFORM stats_rollups_apply(NEW, 1);
      PERFORM stats_rollups_apply(OLD, -1);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER reports_stats_rollups
AFTER INSERT OR UPDATE OR DELETE ON reports
FOR EACH ROW EXECUTE FUNCTION stats_rollups_trigger();

-- Adds the contribution of reports with ids in [first_id, last_id] in one
-- statement: for bulk loads that ran with civic.stats_bulk = 'on'.
CREATE FUNCTION stats_rollups_add_range(first_id bigint, last_id bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO stats_daily AS s (day, ward_id, district_id, field_code, unit_id, status, bucket,
    n, on_time, never_reopened, speed_sum, speed_n, rated, satisfied)
  SELECT (created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, ward_id, min(district_id), field_code, coalesce(unit_id, 0), status,
    coalesce(stats_handling_bucket(resolved_at, created_at), -1),
    count(*),
    count(*) FILTER (WHERE resolved_at <= due_at),
    count(*) FILTER (WHERE resolved_at IS NOT NULL AND reopen_count = 0),
    coalesce(sum(stats_speed(created_at, due_at, resolved_at)) FILTER (WHERE resolved_at IS NOT NULL AND due_at IS NOT NULL), 0),
    count(*) FILTER (WHERE resolved_at IS NOT NULL AND due_at IS NOT NULL),
    count(rating_satisfied),
    count(*) FILTER (WHERE rating_satisfied)
  FROM reports WHERE id BETWEEN first_id AND last_id
  GROUP BY 1, 2, 4, 5, 6, 7
  ORDER BY 1
  ON CONFLICT (day, ward_id, field_code, unit_id, status, bucket) DO UPDATE SET
    n = s.n + excluded.n,
    on_time = s.on_time + excluded.on_time,
    never_reopened = s.never_reopened + excluded.never_reopened,
    speed_sum = s.speed_sum + excluded.speed_sum,
    speed_n = s.speed_n + excluded.speed_n,
    rated = s.rated + excluded.rated,
    satisfied = s.satisfied + excluded.satisfied;

  INSERT INTO stats_hex_daily AS s (day, h3_r7, h3_r6, h3_r5, ward_id, district_id, field_code, unit_id, status, bucket, n)
  SELECT (created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, h3_r7, min(h3_r6), min(h3_r5), ward_id, min(district_id), field_code,
    coalesce(unit_id, 0), status, coalesce(stats_handling_bucket(resolved_at, created_at), -1), count(*)
  FROM reports WHERE id BETWEEN first_id AND last_id
  GROUP BY 1, 2, 5, 7, 8, 9, 10
  ORDER BY 1
  ON CONFLICT (day, h3_r7, ward_id, field_code, unit_id, status, bucket) DO UPDATE SET n = s.n + excluded.n;
$$;

SELECT stats_rollups_add_range(0, 9223372036854775807);

-- Open reports are a small, changing share; "now"-dependent figures
-- (overdue, aging, worst overdue) scan only them.
CREATE INDEX reports_open_idx ON reports (created_at)
  INCLUDE (status, due_at, ward_id, district_id, field_code, unit_id, h3_r5, h3_r6, h3_r7)
  WHERE status IN ('received', 'verified', 'assigned', 'in_progress', 'reopened');

-- The exact median reads the reports of one handling bucket in the window.
CREATE INDEX reports_handling_idx ON reports (stats_handling_bucket(resolved_at, created_at), created_at)
  INCLUDE (resolved_at, ward_id, district_id, field_code, unit_id, status, h3_r5, h3_r6, h3_r7)
  WHERE resolved_at IS NOT NULL;
