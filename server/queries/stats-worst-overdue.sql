-- stats-worst-overdue: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  r.code,
  r.title,
  r.status,
  r.due_at,
  r.created_at,
  u.name_vi as unit_name_vi,
  u.name_en as unit_name_en,
  w.name_vi as ward_name_vi,
  r.field_code,
  ST_Y (r.geom) as lat,
  ST_X (r.geom) as lon
from
  reports r
  join admin_areas w on w.id = r.ward_id
  left join units u on u.id = r.unit_id
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
order by
  r.due_at asc,
  r.id
limit
  $12;
