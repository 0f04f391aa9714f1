-- Held reports (needs_review: possibly spam, waiting for a dispatcher) count
-- in no figure until a dispatcher releases them (verify or assign sets
-- needs_review to false). The rollups leave them out, and a release adds
-- the report's contribution like an insert would; a held report that is
-- rejected or merged never counts.

CREATE OR REPLACE FUNCTION stats_rollups_apply(r reports, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  local_day date := (r.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
  resolved boolean := r.resolved_at IS NOT NULL;
  b smallint := CASE WHEN r.resolved_at IS NULL THEN -1 ELSE stats_handling_bucket(r.resolved_at, r.created_at) END;
  speed float8 := CASE WHEN resolved AND r.due_at IS NOT NULL THEN stats_speed(r.created_at, r.due_at, r.resolved_at) END;
BEGIN
  IF r.needs_review THEN
    RETURN;
  END IF;
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

-- A release (needs_review true → false) changes what the report contributes.
CREATE OR REPLACE FUNCTION stats_rollups_changed(a reports, b reports) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT (a.created_at, a.ward_id, a.district_id, a.field_code, a.unit_id, a.status, a.due_at, a.resolved_at,
          a.reopen_count, a.rating_satisfied, a.h3_r7, a.needs_review)
    IS DISTINCT FROM
         (b.created_at, b.ward_id, b.district_id, b.field_code, b.unit_id, b.status, b.due_at, b.resolved_at,
          b.reopen_count, b.rating_satisfied, b.h3_r7, b.needs_review)
$$;

CREATE OR REPLACE FUNCTION stats_rollups_add_range(first_id bigint, last_id bigint) RETURNS void
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
  FROM reports WHERE id BETWEEN first_id AND last_id AND NOT needs_review
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
  FROM reports WHERE id BETWEEN first_id AND last_id AND NOT needs_review
  GROUP BY 1, 2, 5, 7, 8, 9, 10
  ORDER BY 1
  ON CONFLICT (day, h3_r7, ward_id, field_code, unit_id, status, bucket) DO UPDATE SET n = s.n + excluded.n;
$$;

-- Rows counted before this migration included held reports: count again.
TRUNCATE stats_daily, stats_hex_daily;
SELECT stats_rollups_add_range(0, 9223372036854775807);

-- The dispatchers' "held for review" figure reads only the held reports.
CREATE INDEX reports_held_idx ON reports (created_at) WHERE needs_review;

-- An officer's scope includes the reports their unit held before a transfer:
-- one pass over that unit's timeline events.
CREATE INDEX report_events_unit_idx ON report_events (unit_id, report_id) WHERE unit_id IS NOT NULL;

-- Figures read from the reports themselves leave held ones out too; the two
-- statistics indexes carry the flag so those reads stay index-only.
DROP INDEX reports_open_idx;
CREATE INDEX reports_open_idx ON reports (created_at)
  INCLUDE (status, due_at, ward_id, district_id, field_code, unit_id, h3_r5, h3_r6, h3_r7, needs_review)
  WHERE status IN ('received', 'verified', 'assigned', 'in_progress', 'reopened');
DROP INDEX reports_handling_idx;
CREATE INDEX reports_handling_idx ON reports (stats_handling_bucket(resolved_at, created_at), created_at)
  INCLUDE (resolved_at, ward_id, district_id, field_code, unit_id, status, h3_r5, h3_r6, h3_r7, needs_review)
  WHERE resolved_at IS NOT NULL;
