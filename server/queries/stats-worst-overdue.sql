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
  not r.needs_review
  and r.district_id = $1
  and r.field_code in ($2, $3)
  and r.status in ($4, $5)
  and coalesce(r.unit_id, 0) in ($6)
  and r.status in (
    'received',
    'verified',
    'assigned',
    'in_progress',
    'reopened'
  )
  and r.due_at < $7
order by
  r.due_at asc,
  r.id
limit
  $8;
