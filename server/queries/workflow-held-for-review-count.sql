-- workflow-held-for-review-count: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  count(*)::int as "n"
from
  "reports" as "r"
where
  true
  and "r"."needs_review" = $1
  and "r"."status" in ($2, $3, $4, $5, $6);
