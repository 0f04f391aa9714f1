-- workflow-lock-report: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "id",
  "code",
  "status",
  "unit_id",
  "field_code",
  "created_at",
  "due_at",
  "resolved_at",
  "version",
  "follower_count",
  "parent_id",
  "reopen_count",
  "needs_review"
from
  "reports"
where
  "code" = $1
for update;
