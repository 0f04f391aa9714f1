-- The operations console reads narrow slices of many reports. This covering
-- index lets its statistics run as index-only scans over the window instead
-- of reading the wide report rows (titles, descriptions).
CREATE INDEX reports_facts_idx ON reports (created_at)
  INCLUDE (status, field_code, ward_id, district_id, unit_id, due_at, resolved_at, reopen_count, h3_r5, h3_r6, h3_r7);

-- One satisfaction answer per report: the latest rating.
CREATE INDEX ratings_report_created_idx ON ratings (report_id, created_at DESC);
