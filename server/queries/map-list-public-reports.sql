-- map-list-public-reports: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "r"."id",
  "r"."code",
  "r"."field_code",
  "r"."title",
  "r"."status",
  "r"."created_at",
  "r"."due_at",
  "r"."resolved_at",
  "r"."follower_count",
  ST_X (r.geom) as "lon",
  ST_Y (r.geom) as "lat"
from
  "reports" as "r"
where
  "r"."status" not in ($1, $2, $3)
  and "r"."needs_review" = $4
  and r.geom && ST_MakeEnvelope ($5, $6, $7, $8, 4326)
  and nullif(
    ST_X (r.geom) between $9 and $10
    and ST_Y (r.geom) between $11 and $12,
    false
  ) is not null
  and "r"."field_code" in ($13)
  and (r.created_at, r.id) < ($14, $15::bigint)
order by
  "r"."created_at" desc,
  "r"."id" desc
limit
  $16;
