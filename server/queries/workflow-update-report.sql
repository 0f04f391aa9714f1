-- workflow-update-report: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

update "reports"
set
  "status" = $1,
  "unit_id" = $2,
  "assigned_at" = $3,
  "updated_at" = $4
where
  "id" = $5;
