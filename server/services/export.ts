import type { Kysely } from 'kysely';
import { findAreaByCode } from '../db/areas.repo.js';
import type { Database, ReportStatus } from '../db/database.js';
import { listExportBatch, type ExportFilters, type ExportRow } from '../db/export.repo.js';

export type { ExportRow };
import { validationFailed } from '../errors.js';
import type { StaffContext } from './auth.js';
import { reportScope } from './report-access.js';

const BATCH = 1000;

/** An export's filters, as validated (routes/export.schema.ts). */
export interface ExportQueryInput {
  /** A province, district or ward code. */
  area?: string;
  field?: string[];
  status?: ReportStatus[];
  unit?: number;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/**
 * Turns the query into repository filters, within what this staff member may
 * see; an unknown area is a 400 before any byte is streamed.
 */
export async function resolveExportFilters(db: Kysely<Database>, staff: StaffContext, q: ExportQueryInput): Promise<ExportFilters> {
  let area: ExportFilters['area'];
  if (q.area) {
    const row = await findAreaByCode(db, q.area);
    if (!row) throw validationFailed({ area: `Unknown area code "${q.area}"` });
    area = { level: row.level, id: row.id };
  }
  return { scope: reportScope(staff), area, fields: q.field, statuses: q.status, unitId: q.unit, from: q.from, to: q.to };
}

/**
 * Every report the filters match, one keyset batch at a time, oldest first,
 * so memory stays flat however large the export (the wire formats are
 * routes/export-format.ts).
 */
export async function* exportBatches(db: Kysely<Database>, filters: ExportFilters): AsyncGenerator<ExportRow[]> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await listExportBatch(db, filters, after, BATCH);
    if (rows.length) yield rows;
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1]!;
    after = { createdAt: last.created_at, id: last.id };
  }
}
