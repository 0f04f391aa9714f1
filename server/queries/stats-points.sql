-- stats-points: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  r.code,
  ST_X (r.geom) as lon,
  ST_Y (r.geom) as lat,
  r.status,
  case case
      when r.due_at is null then 'none'
      when r.status not in (
        'received',
        'verified',
        'assigned',
        'in_progress',
        'reopened'
      ) then case
        when r.resolved_at is null then 'none'
        when r.resolved_at <= r.due_at then 'met'
        else 'missed'
      end
      when $1::timestamptz > r.due_at then case
        when $2::timestamptz - r.created_at > 3 * (r.due_at - r.created_at) then 'late_3x'
        else 'overdue'
      end
      when r.due_at - $3::timestamptz < 0.2 * (r.due_at - r.created_at) then 'due_soon'
      else 'on_track'
    end
    when 'late_3x' then 4
    when 'overdue' then 3
    when 'due_soon' then 2
    when 'on_track' then 1
    else 0
  end as sla
from
  reports r
where
  r.created_at >= ($4::date::timestamp at time zone $5)
  and r.created_at < ($6::date::timestamp at time zone $7)
  and not r.needs_review
  and r.district_id = $8
  and r.field_code in ($9, $10)
  and r.status in ($11, $12)
  and coalesce(r.unit_id, 0) in ($13)
  and r.geom && ST_MakeEnvelope ($14, $15, $16, $17, 4326)
  and nullif(
    ST_X (r.geom) between $18 and $19
    and ST_Y (r.geom) between $20 and $21,
    false
  ) is not null
limit
  $22;
