-- map-nearby-open-reports: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "r"."code",
  "r"."title",
  "r"."status",
  "r"."created_at",
  "r"."follower_count",
  ST_X (r.geom) as "lon",
  ST_Y (r.geom) as "lat",
  ST_Distance (
    r.geom::geography,
    ST_SetSRID (ST_MakePoint ($1, $2), 4326)::geography
  ) as "distance_m"
from
  "reports" as "r"
where
  "r"."field_code" = $3
  and "r"."status" in ($4, $5, $6, $7, $8)
  and "r"."needs_review" = $9
  and "r"."created_at" >= $10
  and r.geom && ST_Expand (ST_SetSRID (ST_MakePoint ($11, $12), 4326), $13)
  and ST_DWithin (
    r.geom::geography,
    ST_SetSRID (ST_MakePoint ($14, $15), 4326)::geography,
    $16
  )
order by
  "distance_m"
limit
  $17;
