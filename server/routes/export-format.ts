import type { Logger } from '../log.js';
import type { ExportRow } from '../services/export.js';
import { reportRowToOpen311, toOpen311DateTime } from '../services/open311.js';

/** The export formats' wire shapes: CSV, GeoJSON and an Open311 requests dump, streamed batch by batch. */
export type ExportFormat = 'csv' | 'geojson' | 'open311';

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
 * Streams the batches in the format, one batch per pull, so memory stays
 * flat however large the export. A failure mid-stream is logged and ends the
 * stream with an error: the client sees a truncated download, never a
 * well-formed file that silently lacks rows.
 */
export function exportStream(
  batches: AsyncGenerator<ExportRow[]>, format: ExportFormat, deps: { logger: Logger; baseUrl: string },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { head, separator, tail } = FRAMING[format];
  const render = format === 'csv' ? csvLine : format === 'geojson' ? geojsonFeature : (r: ExportRow) => JSON.stringify(reportRowToOpen311(r, deps.baseUrl));
  let first = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(head));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) {
          controller.enqueue(encoder.encode(tail));
          controller.close();
          return;
        }
        const chunk = (first || format === 'csv' ? '' : separator) + next.value.map(render).join(separator);
        first = false;
        controller.enqueue(encoder.encode(chunk));
      } catch (err) {
        deps.logger.error({ err, format }, 'export failed mid-stream');
        controller.error(err);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
