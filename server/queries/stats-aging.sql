-- stats-aging: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  case
    when r.due_at is null
    or r.due_at >= $1 then 'not_due'
    when $2::timestamptz - r.due_at < interval '3 days' then 'late_0_3'
    when $3::timestamptz - r.due_at < interval '7 days' then 'late_3_7'
    when $4::timestamptz - r.due_at < interval '30 days' then 'late_7_30'
    else 'late_30_plus'
  end as bucket,
  count(*)::int as n
from
  reports r
where
  r.created_at >= ($5::date::timestamp at time zone $6)
  and r.created_at < ($7::date::timestamp at time zone $8)
  and not r.needs_review
  and "r"."district_id" = $9
  and "r"."field_code" in ($10, $11)
  and "r"."status" in ($12, $13)
  and "r"."unit_id" in ($14)
  and r.status in (
    'received',
    'verified',
    'assigned',
    'in_progress',
    'reopened'
  )
group by
  1;
