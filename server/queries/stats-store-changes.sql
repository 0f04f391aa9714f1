-- stats-store-changes: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  r.id::float8 as id,
  extract(
    epoch
    from
      r.created_at
  )::float8 as created,
  extract(
    epoch
    from
      r.resolved_at
  )::float8 as resolved,
  extract(
    epoch
    from
      r.due_at
  )::float8 as due,
  case
    when r.reopen_count > 0 then (
      select
        extract(
          epoch
          from
            max(e.created_at)
        )::float8
      from
        report_events e
      where
        e.report_id = r.id
        and e.to_status = 'reopened'
    )
  end as reopened,
  r.ward_id,
  r.district_id,
  r.field_code,
  r.unit_id,
  r.status,
  r.needs_review,
  r.rating_satisfied,
  r.h3_r5::text as h3_r5,
  r.h3_r6::text as h3_r6,
  r.h3_r7::text as h3_r7
from
  reports r
where
  r.stats_xid >= $1::xid8;

select
  d.report_id::float8 as id
from
  reports_deleted d
where
  d.stats_xid >= $1::xid8;

select
  pg_snapshot_xmin(pg_current_snapshot())::text as xmin;
