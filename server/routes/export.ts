import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { exportBatches, resolveExportFilters, type ExportQueryInput } from '../services/export.js';
import type { StaffContext } from '../services/auth.js';
import { recordSecurityEvent } from '../services/security-events.js';
import { exportStream, type ExportFormat } from './export-format.js';
import { ExportQuery } from './export.schema.js';
import { requireStaff, type StaffEnv } from './session.js';
import { validate } from './validate.js';

const TYPES: Record<ExportFormat, { type: string; ext: string }> = {
  csv: { type: 'text/csv; charset=utf-8', ext: 'csv' },
  geojson: { type: 'application/geo+json; charset=utf-8', ext: 'geojson' },
  open311: { type: 'application/json; charset=utf-8', ext: 'open311.json' },
};

/**
 * Exports of any filter: CSV, GeoJSON, and an Open311 requests dump that
 * npm run import:open311 reads back. Public columns only; contact details
 * need the audited admin export (a later issue). Staff only, and each sees
 * only the reports they may read (services/report-access.ts): an officer
 * exports their unit's (and those it handed on, which carry no contact
 * details anyway). Held reports are in no export.
 */
export const exportRoutes = (deps: AppDeps) => {
  return new Hono<StaffEnv>()
    .get('/export.csv', requireStaff(deps), validate('query', ExportQuery), async (c) => respond(c.var.staff, c.req.valid('query'), 'csv', c.req.url))
    .get('/export.geojson', requireStaff(deps), validate('query', ExportQuery), async (c) => respond(c.var.staff, c.req.valid('query'), 'geojson', c.req.url))
    .get('/export.open311.json', requireStaff(deps), validate('query', ExportQuery), async (c) =>
      respond(c.var.staff, c.req.valid('query'), 'open311', c.req.url),
    );

  async function respond(staff: StaffContext, q: ExportQueryInput, format: ExportFormat, url: string) {
    const filters = await resolveExportFilters(deps.db, staff, q);
    await recordSecurityEvent(deps.db, { action: 'export.download', outcome: 'success', actorId: staff.userId, target: { entity: 'export', id: format }, detail: { query: q } }, deps.logger);
    const baseUrl = deps.config.publicBaseUrl ?? new URL(url).origin;
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(exportStream(exportBatches(deps.db, filters), format, { logger: deps.logger, baseUrl }), {
      headers: {
        'Content-Type': TYPES[format].type,
        'Content-Disposition': `attachment; filename="civic-ops-${stamp}.${TYPES[format].ext}"`,
        'Cache-Control': 'no-store',
      },
    });
  }
};
