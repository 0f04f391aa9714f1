-- stats-timeseries-day: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

with
  received as (
    select
      date_trunc('day', r.created_at at time zone $1)::date as bucket,
      count(*)::int as n
    from
      reports r
    where
      r.created_at >= ($2::date::timestamp at time zone $3)
      and r.created_at < ($4::date::timestamp at time zone $5)
      and not r.needs_review
      and "r"."district_id" = $6
      and "r"."field_code" in ($7, $8)
      and "r"."status" in ($9, $10)
      and "r"."unit_id" in ($11)
    group by
      1
  ),
  resolved as (
    select
      date_trunc('day', r.resolved_at at time zone $12)::date as bucket,
      count(*)::int as n
    from
      reports r
    where
      r.created_at >= ($13::date::timestamp at time zone $14)
      and r.created_at < ($15::date::timestamp at time zone $16)
      and not r.needs_review
      and "r"."district_id" = $17
      and "r"."field_code" in ($18, $19)
      and "r"."status" in ($20, $21)
      and "r"."unit_id" in ($22)
      and r.resolved_at is not null
      and r.resolved_at < ($23::date::timestamp at time zone $24)
    group by
      1
  )
select
  coalesce(a.bucket, b.bucket)::text as bucket,
  coalesce(a.n, 0) as received,
  coalesce(b.n, 0) as resolved
from
  received a
  full join resolved b on a.bucket = b.bucket
order by
  1;
