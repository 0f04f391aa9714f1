import type { Kysely } from 'kysely';
import { findAreaByCode } from '../db/areas.repo.js';
import type { Database, ReportStatus } from '../db/database.js';
import { listExportBatch, type ExportFilters, type ExportRow } from '../db/export.repo.js';
import { validationFailed } from '../errors.js';
import type { Logger } from '../log.js';
import type { StaffContext } from './auth.js';
import { reportRowToOpen311, toOpen311DateTime } from './open311.js';
import { reportScope } from './report-access.js';

const BATCH = 1000;

export type ExportFormat = 'csv' | 'geojson' | 'open311';

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

export const CSV_COLUMNS = [
  'code', 'field_code', 'field_name', 'title', 'description', 'status', 'lat', 'lon', 'address',
  'ward_code', 'ward_name', 'district_code', 'district_name', 'unit_name', 'follower_count', 'source',
  'created_at', 'updated_at', 'due_at', 'resolved_at', 'closed_at',
] as const;

/**
 * One CSV cell: quoted when it must be (RFC 4180), and a leading = + - @ is
 * defused so a spreadsheet never runs citizen text as a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = value instanceof Date ? toOpen311DateTime(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(r: ExportRow): string {
  const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    code: r.code, field_code: r.field_code, field_name: r.field_name, title: r.title, description: r.description, status: r.status,
    lat: r.lat, lon: r.lon, address: r.address, ward_code: r.ward_code, ward_name: r.ward_name, district_code: r.district_code,
    district_name: r.district_name, unit_name: r.unit_name, follower_count: r.follower_count, source: r.source,
    created_at: r.created_at, updated_at: r.updated_at, due_at: r.due_at, resolved_at: r.resolved_at, closed_at: r.closed_at,
  };
  return CSV_COLUMNS.map((c) => csvCell(row[c])).join(',') + '\r\n';
}

function geojsonFeature(r: ExportRow): string {
  const iso = (d: Date | null) => (d ? toOpen311DateTime(d) : null);
  return JSON.stringify({
    type: 'Feature',
    id: r.code,
    geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
    properties: {
      code: r.code, field: r.field_code, field_name: r.field_name, title: r.title, description: r.description, status: r.status,
      address: r.address, ward: r.ward_code, ward_name: r.ward_name, district: r.district_code, district_name: r.district_name,
      unit: r.unit_name, follower_count: r.follower_count, source: r.source,
      created_at: iso(r.created_at), updated_at: iso(r.updated_at), due_at: iso(r.due_at), resolved_at: iso(r.resolved_at), closed_at: iso(r.closed_at),
    },
  });
}

const FRAMING: Record<ExportFormat, { head: string; separator: string; tail: string }> = {
  // The BOM makes spreadsheet programs read the Vietnamese text as UTF-8.
  csv: { head: `\uFEFF${CSV_COLUMNS.join(',')}\r\n`, separator: '', tail: '' },
  geojson: { head: '{"type":"FeatureCollection","features":[\n', separator: ',\n', tail: '\n]}\n' },
  open311: { head: '[\n', separator: ',\n', tail: '\n]\n' },
};

/**
 * Streams every matching report, one keyset batch per pull, so memory stays
 * flat however large the export. A failure mid-stream is logged and ends the
 * stream with an error: the client sees a truncated download, never a
 * well-formed file that silently lacks rows.
 */
export function exportStream(
  deps: { db: Kysely<Database>; logger: Logger; baseUrl: string },
  format: ExportFormat,
  filters: ExportFilters,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { head, separator, tail } = FRAMING[format];
  const render = format === 'csv' ? csvLine : format === 'geojson' ? geojsonFeature : (r: ExportRow) => JSON.stringify(reportRowToOpen311(r, deps.baseUrl));
  let after: { createdAt: Date; id: string } | undefined;
  let first = true;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(head));
    },
    async pull(controller) {
      if (done) return;
      try {
        const rows = await listExportBatch(deps.db, filters, after, BATCH);
        if (rows.length) {
          const parts = rows.map(render);
          const chunk = (first || format === 'csv' ? '' : separator) + parts.join(separator);
          first = false;
          const last = rows[rows.length - 1]!;
          after = { createdAt: last.created_at, id: last.id };
          controller.enqueue(encoder.encode(chunk));
        }
        if (rows.length < BATCH) {
          done = true;
          controller.enqueue(encoder.encode(tail));
          controller.close();
        }
      } catch (err) {
        done = true;
        deps.logger.error({ err, format }, 'export failed mid-stream');
        controller.error(err);
      }
    },
  });
}
