-- stats-metrics-by-ward: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "s"."ward_id" as g,
  '' as field,
  s.status,
  s.bucket,
  sum(s.n)::int as n,
  sum(s.on_time)::int as on_time,
  sum(s.never_reopened)::int as never_reopened,
  sum(s.speed_sum)::float8 as speed_sum,
  sum(s.speed_n)::int as speed_n,
  sum(s.rated)::int as rated,
  sum(s.satisfied)::int as satisfied
from
  stats_daily s
where
  s.day >= $1::date
  and s.day < $2::date
  and "s"."district_id" = $3
  and "s"."field_code" in ($4, $5)
  and "s"."status" in ($6, $7)
  and "s"."unit_id" in ($8)
group by
  1,
  2,
  3,
  4;

select
  "r"."ward_id" as g,
  count(*)::int as n
from
  reports r
where
  r.created_at >= ($1::date::timestamp at time zone $2)
  and r.created_at < ($3::date::timestamp at time zone $4)
  and not r.needs_review
  and "r"."district_id" = $5
  and "r"."field_code" in ($6, $7)
  and "r"."status" in ($8, $9)
  and "r"."unit_id" in ($10)
  and r.status in (
    'received',
    'verified',
    'assigned',
    'in_progress',
    'reopened'
  )
  and r.due_at < $11
group by
  1;
