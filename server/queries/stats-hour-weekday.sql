-- stats-hour-weekday: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  extract(
    isodow
    from
      r.created_at at time zone $1
  )::int as weekday,
  extract(
    hour
    from
      r.created_at at time zone $2
  )::int as hour,
  count(*)::int as n
from
  reports r
where
  r.created_at >= ($3::date::timestamp at time zone $4)
  and r.created_at < ($5::date::timestamp at time zone $6)
  and not r.needs_review
  and "r"."district_id" = $7
  and "r"."field_code" in ($8, $9)
  and "r"."status" in ($10, $11)
  and "r"."unit_id" in ($12)
group by
  1,
  2;
