import type { Kysely } from 'kysely';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import type { Database, NewReportEventRow, ReportStatus } from '../db/database.js';
import { listActiveFields } from '../db/fields.repo.js';
import { findExistingExternalIds, insertEvents, insertImportedReports, placePoints, type ImportedReportRow } from '../db/open311.repo.js';
import { findDefaultUnit } from '../db/units.repo.js';
import { parseOpen311DateTime } from './datetime.js';
import { titleFrom } from './open311.js';
import { newReportCode } from './report-code.js';

export type SkipReason =
  | 'not_an_object' | 'no_id' | 'duplicate_in_file' | 'unknown_status' | 'bad_datetime' | 'expected_not_after_requested'
  | 'unknown_service' | 'no_location' | 'outside_region' | 'already_imported';

export type ImportFlag = 'updated_before_requested' | 'outside_region';

export interface ImportOptions {
  /** Names the system the ids come from; (source, id) is what makes a re-run import nothing twice. */
  source: string;
  /** Off: points outside the province are kept where they are, filed under the nearest ward and flagged. */
  regionCheck: boolean;
  /** service_code or service_name → our field code; "*" is the fallback. */
  serviceMap: Record<string, string>;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportProblem {
  index: number;
  id: string | null;
  reason: SkipReason;
  detail: string;
}

export interface ImportSummary {
  total: number;
  imported: number;
  skipped: Partial<Record<SkipReason, number>>;
  flagged: Partial<Record<ImportFlag, number>>;
  /** Every skipped record except those already imported, with why. */
  problems: ImportProblem[];
  ms: number;
}

/**
 * Open311 statuses, plain and mySociety's extended ones, as ours. An open
 * request becomes assigned when a unit handles its field and ward.
 */
const STATUS_MAP: Record<string, ReportStatus | 'open'> = {
  open: 'open', investigating: 'open', action_scheduled: 'open', internal_referral: 'open',
  in_progress: 'in_progress',
  fixed: 'resolved',
  closed: 'closed', duplicate: 'closed', not_councils_responsibility: 'closed', no_further_action: 'closed',
};

interface Candidate {
  index: number;
  id: string;
  fieldCode: string;
  status: ReportStatus | 'open';
  requested: Date;
  updated: Date;
  expected: Date | null;
  description: string;
  title: string;
  notes: string | null;
  address: string | null;
  mediaUrl: string | null;
  lon: number;
  lat: number;
  flags: ImportFlag[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null);

function httpUrl(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Checks one record; returns what to import, or why not. */
function examine(
  raw: unknown,
  index: number,
  fieldFor: (code: string | null, name: string | null) => string | undefined,
): Candidate | { reason: SkipReason; id: string | null; detail: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { reason: 'not_an_object', id: null, detail: 'not a JSON object' };
  const r = raw as Record<string, unknown>;
  const id = str(r.service_request_id);
  if (!id || id.length > 200) return { reason: 'no_id', id: null, detail: 'service_request_id is missing' };
  const statusText = str(r.status)?.toLowerCase() ?? '';
  const status = STATUS_MAP[statusText];
  if (!status) return { reason: 'unknown_status', id, detail: `status "${String(r.status ?? '')}" is neither open/closed nor an extended status` };
  const requestedText = str(r.requested_datetime);
  const requested = requestedText ? parseOpen311DateTime(requestedText) : undefined;
  if (!requested) return { reason: 'bad_datetime', id, detail: `requested_datetime "${String(r.requested_datetime ?? '')}" is not ISO-8601` };
  const dates: Record<'updated' | 'expected', Date | null> = { updated: null, expected: null };
  for (const k of ['updated', 'expected'] as const) {
    const text = str(r[`${k}_datetime`]);
    if (!text) continue;
    const d = parseOpen311DateTime(text);
    if (!d) return { reason: 'bad_datetime', id, detail: `${k}_datetime "${text}" is not ISO-8601` };
    dates[k] = d;
  }
  // A deadline at or before the request allows no time at all: the statistics
  // would score the report both as late and as handled instantly, and the
  // inbox show it three times late from its first second. The database
  // refuses it too (sql/0015).
  if (dates.expected && dates.expected <= requested) {
    return { reason: 'expected_not_after_requested', id, detail: `expected_datetime "${str(r.expected_datetime)}" is not after requested_datetime "${requestedText}"` };
  }
  const serviceCode = str(r.service_code);
  const serviceName = str(r.service_name);
  const fieldCode = fieldFor(serviceCode, serviceName);
  if (!fieldCode) return { reason: 'unknown_service', id, detail: `service "${serviceCode ?? serviceName ?? ''}" is not in the service map` };
  const lat = typeof r.lat === 'string' ? Number(r.lat) : r.lat;
  const lon = typeof r.long === 'string' ? Number(r.long) : r.long;
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)
    || Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) {
    return { reason: 'no_location', id, detail: 'lat/long missing or invalid' };
  }
  const flags: ImportFlag[] = [];
  let updated = dates.updated ?? requested;
  // Real dumps truncate updated_datetime to the minute; keep the record, flag it, and keep our timeline ordered.
  if (updated < requested) {
    flags.push('updated_before_requested');
    updated = requested;
  }
  const description = (str(r.description) ?? serviceName ?? 'Open311').normalize('NFC');
  return {
    index, id, fieldCode, status, requested, updated, expected: dates.expected,
    description,
    title: titleFrom(description, serviceName ?? fieldCode),
    notes: str(r.status_notes),
    address: str(r.address) ?? str(r.address_string),
    mediaUrl: httpUrl(r.media_url),
    lon, lat, flags,
  };
}

/**
 * Imports an Open311 requests dump into reports, in batches of one
 * transaction each. Malformed records are reported and skipped; a record
 * already imported from the same source is skipped, so a re-run (or a run
 * resumed after a crash) imports only what is missing.
 */
export async function importOpen311(db: Kysely<Database>, records: unknown[], opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 500;
  const fields = new Set((await listActiveFields(db)).map((f) => f.code));
  for (const [key, code] of Object.entries(opts.serviceMap)) {
    if (!fields.has(code)) throw new Error(`The service map sends "${key}" to "${code}", which is not an active field`);
  }
  const fieldFor = (code: string | null, name: string | null) =>
    (code && opts.serviceMap[code]) || (name && opts.serviceMap[name]) || (code && fields.has(code) ? code : undefined) || opts.serviceMap['*'];

  const summary: ImportSummary = { total: records.length, imported: 0, skipped: {}, flagged: {}, problems: [], ms: 0 };
  const skip = (reason: SkipReason, index: number, id: string | null, detail: string) => {
    summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
    if (reason !== 'already_imported') summary.problems.push({ index, id, reason, detail });
  };
  const seen = new Set<string>();
  const unitCache = new Map<string, number | null>();

  for (let start = 0; start < records.length; start += batchSize) {
    const candidates: Candidate[] = [];
    records.slice(start, start + batchSize).forEach((raw, i) => {
      const result = examine(raw, start + i, fieldFor);
      if ('reason' in result) return skip(result.reason, start + i, result.id, result.detail);
      if (seen.has(result.id)) return skip('duplicate_in_file', result.index, result.id, 'the same service_request_id appears earlier in the file');
      seen.add(result.id);
      candidates.push(result);
    });

    const existing = await findExistingExternalIds(db, opts.source, candidates.map((c) => c.id));
    const fresh = candidates.filter((c) => {
      if (existing.has(c.id)) skip('already_imported', c.index, c.id, 'imported before');
      return !existing.has(c.id);
    });
    const places = await placePoints(db, fresh);
    const rows: ImportedReportRow[] = [];
    const byId = new Map<string, { c: Candidate; status: ReportStatus; unitId: number | null }>();
    for (const [i, c] of fresh.entries()) {
      const place = places[i]!;
      if (!place.inside) {
        if (opts.regionCheck) {
          skip('outside_region', c.index, c.id, `(${c.lat}, ${c.lon}) is outside Đắk Lắk`);
          continue;
        }
        c.flags.push('outside_region');
      }
      for (const f of c.flags) summary.flagged[f] = (summary.flagged[f] ?? 0) + 1;
      const unitKey = `${c.fieldCode}:${place.ward_id}`;
      if (!unitCache.has(unitKey)) {
        const unit = await findDefaultUnit(db, { fieldCode: c.fieldCode, wardId: place.ward_id, districtId: place.district_id, provinceId: place.province_id });
        unitCache.set(unitKey, unit?.id ?? null);
      }
      const unitId = unitCache.get(unitKey) ?? null;
      const status: ReportStatus = c.status === 'open' ? (unitId ? 'assigned' : 'received') : c.status;
      const finished = status === 'resolved' || status === 'closed';
      byId.set(c.id, { c, status, unitId });
      rows.push({
        code: newReportCode(),
        field_code: c.fieldCode,
        title: c.title,
        description: c.description,
        status,
        ...h3CellsForPoint([c.lon, c.lat]),
        ward_id: place.ward_id,
        district_id: place.district_id,
        unit_id: unitId,
        reporter_name: null,
        reporter_phone: null,
        reporter_email: null,
        hide_name: true,
        source: 'open311-import',
        created_at: c.requested,
        updated_at: c.updated,
        assigned_at: unitId ? c.requested : null,
        due_at: c.expected,
        resolved_at: finished ? c.updated : null,
        closed_at: status === 'closed' ? c.updated : null,
        external_source: opts.source,
        external_id: c.id,
        address: c.address,
        external_media_url: c.mediaUrl,
        flags: c.flags,
        lon: c.lon,
        lat: c.lat,
      });
    }

    await db.transaction().execute(async (trx) => {
      const inserted = await insertImportedReports(trx, rows);
      const events: NewReportEventRow[] = [];
      for (const row of inserted) {
        const { c, status, unitId } = byId.get(row.external_id!)!;
        events.push({ report_id: row.id, type: 'received', to_status: 'received', public: true, created_at: c.requested });
        if (status !== 'received' || c.notes) {
          const changes = status !== 'received';
          events.push({
            report_id: row.id, type: changes ? status : 'note', from_status: changes ? 'received' : null, to_status: changes ? status : null,
            public: true, note: c.notes, unit_id: unitId, created_at: c.updated,
          });
        }
      }
      await insertEvents(trx, events);
      summary.imported += inserted.length;
      // A concurrent import of the same file may have taken some rows between the check and the insert.
      const lost = rows.length - inserted.length;
      if (lost) summary.skipped.already_imported = (summary.skipped.already_imported ?? 0) + lost;
    });
    opts.onProgress?.(Math.min(start + batchSize, records.length), records.length);
  }
  summary.ms = Date.now() - started;
  return summary;
}
