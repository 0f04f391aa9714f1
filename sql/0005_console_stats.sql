-- The operations console reads narrow slices of many reports.

-- The reporter's latest satisfaction answer, kept on the report (set in the
-- same transaction as the rating) so statistics need no per-report lookup.
ALTER TABLE reports ADD COLUMN rating_satisfied boolean;
UPDATE reports r SET rating_satisfied = x.satisfied
FROM (SELECT DISTINCT ON (report_id) report_id, satisfied FROM ratings ORDER BY report_id, created_at DESC, id DESC) x
WHERE x.report_id = r.id;

-- A covering index: console statistics run as index-only scans over the
-- window instead of reading the wide report rows (titles, descriptions).
CREATE INDEX reports_facts_idx ON reports (created_at)
  INCLUDE (status, field_code, ward_id, district_id, unit_id, due_at, resolved_at, reopen_count, rating_satisfied, h3_r5, h3_r6, h3_r7);
