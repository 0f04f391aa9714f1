-- stats-hex-cells-r9: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "r"."h3_r9"::text as cell,
  count(*) filter (
    where
      r.created_at >= ($1::date::timestamp at time zone $2)
      and r.created_at < ($3::date::timestamp at time zone $4)
  )::int as count,
  count(*) filter (
    where
      r.status in (
        'received',
        'verified',
        'assigned',
        'in_progress',
        'reopened'
      )
  )::int as open,
  count(*) filter (
    where
      r.status in (
        'received',
        'verified',
        'assigned',
        'in_progress',
        'reopened'
      )
      and r.due_at < $5
  )::int as overdue,
  percentile_cont(0.5) within group (
    order by
      extract(
        epoch
        from
          (r.resolved_at - r.created_at)
      )::float8 / 3600.0
  ) filter (
    where
      r.resolved_at >= ($6::date::timestamp at time zone $7)
      and r.resolved_at < ($8::date::timestamp at time zone $9)
  ) as median
from
  reports r
where
  r.geom && ST_MakeEnvelope ($10, $11, $12, $13, 4326)
  and nullif(
    ST_X (r.geom) between $14 and $15
    and ST_Y (r.geom) between $16 and $17,
    false
  ) is not null
  and not r.needs_review
  and r.district_id = $18
  and r.field_code in ($19, $20)
  and r.status in ($21, $22)
  and coalesce(r.unit_id, 0) in ($23)
  and (
    r.created_at >= ($24::date::timestamp at time zone $25)
    and r.created_at < ($26::date::timestamp at time zone $27)
    or r.resolved_at >= ($28::date::timestamp at time zone $29)
    and r.resolved_at < ($30::date::timestamp at time zone $31)
    or r.status in (
      'received',
      'verified',
      'assigned',
      'in_progress',
      'reopened'
    )
  )
group by
  1;
