-- map-count-public-reports: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  count(*)::int as "n"
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
  and "r"."status" in ($13);
