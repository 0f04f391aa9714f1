-- The H3 cells of resolutions 5–8 were stored as the parents of the r9 cell.
-- An H3 parent does not cover all of its seven children, so about 6–7% of
-- reports sat, at each of those resolutions, in a hexagon their point is not
-- in. spatial/h3-cells.ts now looks each resolution up on its own.
--
-- Existing rows must be recomputed, and there is no H3 in SQL on either
-- engine. So this migration only records the fix as pending; migrate() runs
-- the JavaScript fix registered under that name (server/db/data-fixes.ts)
-- after the SQL migrations, in batches of reports by id, each committed
-- together with `after_id`, the last id done. A run that stops resumes there,
-- and the row is deleted when the last batch is done.
CREATE TABLE pending_data_fixes (
  name      text PRIMARY KEY,
  after_id  bigint NOT NULL DEFAULT 0
);

INSERT INTO pending_data_fixes (name) VALUES ('h3_cells_per_resolution');
