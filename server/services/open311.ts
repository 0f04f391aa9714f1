import type { Kysely } from 'kysely';
import type { AttributeOption, Database, FieldAttributeRow, ReportStatus } from '../db/database.js';
import { findFieldByCode } from '../db/fields.repo.js';
import {
  findExternalUpdate, findOpen311RequestsByCodes, findReportIdByCode, findWardNamedIn, insertExternalUpdate,
  listFieldAttributes, listOpen311Requests, listPublicUpdates, listServices, type Open311RequestRow,
} from '../db/open311.repo.js';
import { lockReportByCode } from '../db/reports.repo.js';
import { FINISHED_STATUSES, isOpen, OPEN_STATUSES } from '../domain/statuses.js';
import { DomainError, notFound, validationFailed, type FieldErrors } from '../errors.js';
import type { ApiClient } from './api-keys.js';
import { parseOpen311DateTime } from './datetime.js';
import type { UploadedFile } from './media/uploads.js';
import { createReport, type ReportsDeps } from './reports.js';
import { performActionIn, type ClientAction, type StaffAction } from './staff-reports.js';

/** mySociety's extended statuses (servicerequestupdates). */
export const EXTENDED_STATUSES = [
  'OPEN', 'INVESTIGATING', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'FIXED', 'CLOSED', 'DUPLICATE',
  'NOT_COUNCILS_RESPONSIBILITY', 'NO_FURTHER_ACTION', 'INTERNAL_REFERRAL',
] as const;
export type ExtendedStatus = (typeof EXTENDED_STATUSES)[number];

/** GET requests, as validated (routes/open311.schema.ts). */
export interface RequestsQueryInput {
  service_request_id?: string[];
  service_code?: string[];
  start_date?: Date;
  end_date?: Date;
  status?: ('open' | 'closed')[];
  updated_after?: Date;
  /** west, south, east, north */
  bbox?: [number, number, number, number];
  /** "1" or the token of the previous page's Link header. */
  page?: string;
  page_size?: number;
}

/** POST requests, as validated: lat and long together, or an address. */
export interface PostRequestInput {
  service_code: string;
  lat?: number;
  long?: number;
  address_string?: string;
  description: string;
  media_url?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  email?: string;
}

/** POST servicerequestupdates, as validated. */
export interface PostUpdateInput {
  update_id: string;
  service_request_id: string;
  status: ExtendedStatus;
  description: string;
}


const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_DAYS = 90;
const DEFAULT_PAGE_SIZE = 1000;
const VN_OFFSET_MS = 7 * 3_600_000;

/** ISO-8601 in Đắk Lắk time with an explicit offset, e.g. 2025-07-01T15:04:05+07:00. */
export function toOpen311DateTime(d: Date): string {
  return `${new Date(d.getTime() + VN_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** Open311 knows only open and closed; everything finished is closed. */
export function toOpen311Status(status: ReportStatus): 'open' | 'closed' {
  return isOpen(status) ? 'open' : 'closed';
}

export const OPEN311_STATUS_FILTER: Record<'open' | 'closed', readonly ReportStatus[]> = {
  open: OPEN_STATUSES,
  closed: FINISHED_STATUSES,
};

/** Our statuses as mySociety's extended servicerequestupdates statuses. */
export const EXTENDED_STATUS: Record<ReportStatus, ExtendedStatus> = {
  received: 'OPEN',
  verified: 'INVESTIGATING',
  assigned: 'ACTION_SCHEDULED',
  in_progress: 'IN_PROGRESS',
  resolved: 'FIXED',
  closed: 'CLOSED',
  rejected: 'NOT_COUNCILS_RESPONSIBILITY',
  reopened: 'OPEN',
  merged: 'DUPLICATE',
  withdrawn: 'CLOSED',
};

/**
 * The status an external update asks for, or null for "a note only". OPEN on a
 * finished report means the problem is back; statuses we cannot act on by
 * ourselves (a duplicate needs a parent, a referral a unit) stay notes.
 */
export function targetStatusOf(extended: ExtendedStatus, current: ReportStatus): ReportStatus | null {
  switch (extended) {
    case 'OPEN': return current === 'resolved' ? 'reopened' : null;
    case 'IN_PROGRESS': return 'in_progress';
    case 'FIXED': return 'resolved';
    case 'CLOSED': case 'NO_FURTHER_ACTION': return current === 'resolved' ? 'closed' : 'resolved';
    case 'NOT_COUNCILS_RESPONSIBILITY': return 'rejected';
    default: return null;
  }
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number;
  long: number;
  media_url: string | null;
}

/** The one mapping from a report to an Open311 request. Contact details are never read, so never shown. */
export function reportRowToOpen311(r: Open311RequestRow, baseUrl: string): Open311Request {
  return {
    service_request_id: r.code,
    status: toOpen311Status(r.status),
    status_notes: r.status_notes,
    service_name: r.field_name,
    service_code: r.field_code,
    description: r.description,
    agency_responsible: r.unit_name,
    service_notice: null,
    requested_datetime: toOpen311DateTime(r.created_at),
    updated_datetime: toOpen311DateTime(r.updated_at),
    expected_datetime: r.due_at ? toOpen311DateTime(r.due_at) : null,
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lon,
    media_url: r.media_id ? new URL(`/media/${r.media_id}`, baseUrl).toString() : r.external_media_url,
  };
}

// ---------- reading ----------

export interface Open311Context {
  db: Kysely<Database>;
  baseUrl: string;
  jurisdictionId: string;
  now?: () => Date;
}

/** An unknown jurisdiction_id is 404; none at all means ours. */
export function assertJurisdiction(ctx: { jurisdictionId: string }, given: string | undefined): void {
  if (given !== undefined && given !== ctx.jurisdictionId) {
    throw new DomainError('not_found', `Unknown jurisdiction_id "${given}"; this server answers for ${ctx.jurisdictionId}`);
  }
}

export const SPEC_URL = 'http://wiki.open311.org/GeoReport_v2';
/** When our Open311 surface last changed; clients compare it to cache the discovery. */
export const CHANGESET = '2025-07-01T00:00:00+07:00';

export function discovery(ctx: Open311Context) {
  const endpoint = new URL('/open311/v2', ctx.baseUrl).toString();
  return {
    changeset: CHANGESET,
    contact: 'Trung tâm Điều hành thông minh tỉnh Đắk Lắk — ' + new URL('/', ctx.baseUrl).toString(),
    key_service: 'API keys are issued by the province administrators on request.',
    endpoints: [{
      specification: SPEC_URL,
      url: endpoint,
      changeset: CHANGESET,
      type: 'production',
      formats: ['text/xml', 'application/json'],
    }],
  };
}

export async function listOpen311Services(ctx: Open311Context) {
  const rows = await listServices(ctx.db);
  return rows.map((f) => ({
    service_code: f.code,
    service_name: f.name_vi,
    description: f.name_en,
    metadata: f.has_attributes,
    type: 'realtime' as const,
    keywords: f.keywords ?? f.name_en,
    group: f.service_group ?? (f.handled_at === 'ward' ? 'Cấp xã, phường' : 'Cấp tỉnh'),
  }));
}

function attributeToOpen311(a: FieldAttributeRow) {
  const values: AttributeOption[] = a.value_options ?? [];
  return {
    variable: a.variable,
    code: a.code,
    datatype: a.datatype,
    required: a.required,
    datatype_description: a.datatype_description,
    order: a.sort_order,
    description: a.description,
    ...(a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist' ? { values } : {}),
  };
}

export async function serviceDefinition(ctx: Open311Context, serviceCode: string) {
  const field = /^[a-z][a-z0-9_]{1,31}$/.test(serviceCode) ? await findFieldByCode(ctx.db, serviceCode) : undefined;
  if (!field) throw notFound(`Service "${serviceCode}"`);
  const attributes = await listFieldAttributes(ctx.db, field.code);
  return { service_code: field.code, attributes: attributes.map(attributeToOpen311) };
}

const PAGE_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The opaque token for "the page after this row": its created_at (to the microsecond) and id. */
export function encodePageToken(row: { page_key: string; id: string }): string {
  return Buffer.from(`${row.page_key}|${row.id}`).toString('base64url');
}

/** Reads a page token back; a token we did not write is a 400, never a query. */
export function decodePageToken(token: string): { createdAt: string; id: string } {
  const [createdAt = '', id = '', extra] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !PAGE_KEY.test(createdAt) || !/^[1-9]\d{0,18}$/.test(id)) {
    throw validationFailed({ page: 'page is not a token this server gave; start again without page' });
  }
  return { createdAt, id };
}

export interface Open311RequestsPage {
  requests: Open311Request[];
  /** The token for the next page, or null when this one is the last. */
  next: string | null;
}

/**
 * GET requests: by id list when given (it overrides every other filter), else
 * newest first within the dates asked, or the last 90 days, 1,000 per page.
 * Pages are keyset pages: the reply names the next one, and page 500 costs
 * what page 1 does.
 */
export async function listOpen311RequestsFor(ctx: Open311Context, q: RequestsQueryInput): Promise<Open311RequestsPage> {
  if (q.service_request_id?.length) {
    const rows = await findOpen311RequestsByCodes(ctx.db, q.service_request_id);
    return { requests: rows.map((r) => reportRowToOpen311(r, ctx.baseUrl)), next: null };
  }
  const now = ctx.now?.() ?? new Date();
  let { start_date: start, end_date: end } = q;
  if (!start && !end && !q.updated_after) start = new Date(now.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (start && end && start > end) throw validationFailed({ end_date: 'end_date must be after start_date' });
  const pageSize = q.page_size ?? DEFAULT_PAGE_SIZE;
  const statuses = q.status ? [...new Set(q.status.flatMap((s) => OPEN311_STATUS_FILTER[s]))] : undefined;
  const after = q.page && q.page !== '1' ? decodePageToken(q.page) : undefined;
  // One row more than asked says whether another page exists.
  const rows = await listOpen311Requests(ctx.db, {
    serviceCodes: q.service_code, statuses, start, end, updatedAfter: q.updated_after, bbox: q.bbox, limit: pageSize + 1, after,
  });
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    requests: page.map((r) => reportRowToOpen311(r, ctx.baseUrl)),
    next: rows.length > pageSize && last ? encodePageToken(last) : null,
  };
}

export async function getOpen311Request(ctx: Open311Context, id: string): Promise<Open311Request[]> {
  const code = id.toUpperCase().replace(/[\s-]/g, '');
  const rows = /^[2-9A-Z]{8}$/.test(code) ? await findOpen311RequestsByCodes(ctx.db, [code]) : [];
  if (!rows.length) throw notFound(`Service request "${id}"`);
  return rows.map((r) => reportRowToOpen311(r, ctx.baseUrl));
}

/**
 * Requests are created synchronously, so the token a client may hold is the
 * tracking code itself; this answers it for clients that always ask.
 */
export async function requestIdFromToken(ctx: Open311Context, token: string) {
  const code = token.toUpperCase().replace(/[\s-]/g, '');
  const row = /^[2-9A-Z]{8}$/.test(code) ? await findReportIdByCode(ctx.db, code) : undefined;
  if (!row || row.needs_review) throw notFound(`Token "${token}"`);
  return [{ service_request_id: row.code, token }];
}

export async function listOpen311Updates(ctx: Open311Context, q: { start_date?: Date; end_date?: Date }) {
  const now = ctx.now?.() ?? new Date();
  const start = q.start_date ?? new Date((q.end_date ?? now).getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (q.end_date && start > q.end_date) throw validationFailed({ end_date: 'end_date must be after start_date' });
  const rows = await listPublicUpdates(ctx.db, { start, end: q.end_date, limit: DEFAULT_PAGE_SIZE });
  return rows.map((e) => ({
    update_id: e.id,
    service_request_id: e.code,
    status: EXTENDED_STATUS[e.status as ReportStatus] ?? 'OPEN',
    updated_datetime: toOpen311DateTime(e.created_at),
    description: e.note ?? '',
    media_url: e.media_id ? new URL(`/media/${e.media_id}`, ctx.baseUrl).toString() : '',
  }));
}

// ---------- writing ----------

/**
 * attribute[CODE] and attribute[CODE][] form keys, gathered per code. CODE is
 * the client's text, so the result has no prototype: attribute[__proto__] or
 * attribute[constructor] is an unknown question like any other, not Object's.
 */
export function collectAttributes(form: Record<string, string | string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const [key, value] of Object.entries(form)) {
    const m = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(key);
    if (!m) continue;
    const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length) (out[m[1]] ??= []).push(...values);
  }
  return out;
}

/** Checks the answers against the field's questions; lists are stored as comma-joined keys. */
export function validateAttributes(defs: FieldAttributeRow[], given: Record<string, string[]>): { code: string; value: string }[] {
  const errors: FieldErrors = {};
  const byCode = new Map(defs.map((d) => [d.code, d]));
  for (const code of Object.keys(given)) {
    if (!byCode.has(code)) errors[`attribute[${code}]`] = `This service has no question "${code}"`;
  }
  const out: { code: string; value: string }[] = [];
  for (const d of defs) {
    const key = `attribute[${d.code}]`;
    const values = Object.hasOwn(given, d.code) ? given[d.code]! : [];
    if (!values.length) {
      if (d.required && d.variable) errors[key] = `${d.description} — an answer is required`;
      continue;
    }
    const keys = new Set((d.value_options ?? []).map((o) => o.key));
    const list = d.datatype === 'multivaluelist' ? values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean) : values;
    if (d.datatype !== 'multivaluelist' && list.length > 1) {
      errors[key] = 'Give one value';
      continue;
    }
    const v = list[0];
    switch (d.datatype) {
      case 'number':
        if (!Number.isFinite(Number(v))) errors[key] = 'Must be a number';
        break;
      case 'datetime':
        if (!parseOpen311DateTime(v)) errors[key] = 'Must be an ISO-8601 datetime';
        break;
      case 'string':
        if (v.length > 500) errors[key] = 'Must be at most 500 characters';
        break;
      case 'text':
        if (v.length > 4000) errors[key] = 'Must be at most 4000 characters';
        break;
      case 'singlevaluelist':
      case 'multivaluelist': {
        const bad = list.filter((x) => !keys.has(x));
        if (bad.length) errors[key] = `Unknown value ${bad.map((b) => `"${b}"`).join(', ')}; choose from ${[...keys].join(', ')}`;
        break;
      }
    }
    out.push({ code: d.code, value: d.datatype === 'multivaluelist' ? [...new Set(list)].join(',') : v });
  }
  if (Object.keys(errors).length) throw validationFailed(errors);
  return out;
}

/** A one-line title from the description, since Open311 has none. */
export function titleFrom(description: string, fallback: string): string {
  const first = description.split(/\r?\n|(?<=[.!?])\s/)[0]?.trim() ?? '';
  const title = first.length > 100 ? `${first.slice(0, 99).trimEnd()}…` : first;
  return title.length >= 5 ? title : fallback;
}

/**
 * POST requests: the Open311 form becomes one of our reports through the same
 * createReport path as the web form (routing, due date, idempotency). The
 * contact goes to the private columns and the name is hidden.
 */
export async function createOpen311Request(
  deps: ReportsDeps,
  client: ApiClient,
  input: PostRequestInput,
  attributes: Record<string, string[]>,
  files: UploadedFile[],
  idempotencyKey?: string,
) {
  const serviceCode = input.service_code;
  const field = await findFieldByCode(deps.db, serviceCode);
  if (!field) throw validationFailed({ service_code: `Unknown service_code "${serviceCode}"; see services.json` });
  const answers = validateAttributes(await listFieldAttributes(deps.db, field.code), attributes);

  let lat = input.lat;
  let lon = input.long;
  const flags: string[] = [];
  if (lat === undefined || lon === undefined) {
    // No geocoder: an address is placed at the centre of the ward it names, and marked approximate.
    const ward = await findWardNamedIn(deps.db, input.address_string!);
    if (!ward) {
      throw validationFailed({ address_string: 'No ward or commune of Đắk Lắk is named in address_string; send lat and long instead' });
    }
    lat = ward.lat;
    lon = ward.lon;
    flags.push('approximate_location');
  }
  const name = [input.first_name, input.last_name].filter(Boolean).join(' ') || undefined;
  const description = input.description;
  const created = await createReport(deps, {
    field: field.code,
    title: titleFrom(description, field.name_vi),
    description,
    lat, lon,
    ...(name ? { name } : {}),
    ...(input.phone ? { phone: input.phone } : {}),
    ...(input.email ? { email: input.email } : {}),
    hide_name: true,
    source: 'open311',
    api_key_id: client.id,
    ...(input.address_string ? { address: input.address_string } : {}),
    ...(input.media_url ? { external_media_url: input.media_url } : {}),
    ...(flags.length ? { flags } : {}),
    ...(answers.length ? { attributes: answers } : {}),
  }, files.map((f) => ({ ...f, field: 'photos' })), idempotencyKey);
  const body = created.body;
  const due = body.due_at ? toOpen311DateTime(new Date(body.due_at)).slice(0, 10) : null;
  return {
    status: created.status,
    body: [{
      service_request_id: body.code,
      service_notice: [body.unit ? `Chuyển đến ${body.unit.name}` : 'Đã tiếp nhận', due ? `hạn xử lý ${due}` : null].filter(Boolean).join('; '),
      account_id: null,
    }],
  };
}

/** The workflow action an external update asks for; null target (or the status it already has) is a note. */
export function clientActionOf(extended: ExtendedStatus, current: ReportStatus, note: string): ClientAction | StaffAction {
  const target = targetStatusOf(extended, current);
  if (!target || target === current) return { action: 'note', note };
  switch (target) {
    case 'reopened': return { action: 'reopen', note };
    case 'in_progress': return { action: 'accept', note };
    case 'resolved': return { action: 'resolve', note };
    case 'closed': return { action: 'close', note };
    // "Not our responsibility" from the unit's side hands the report back to the dispatchers.
    case 'rejected': return { action: 'decline', reason: note };
    default: return { action: 'note', note };
  }
}

/**
 * POST servicerequestupdates: an external system's update goes through the
 * same workflow as a staff action (performActionIn): the key's scope, allowed
 * transitions only, a version bump, a public timeline event, an audit row
 * naming the key, the outbox event and notifications. Held reports and reports
 * outside the scope answer 404 as unknown ones do. The same update_id from the
 * same client is applied once; a retry gets the first answer.
 */
export async function postOpen311Update(deps: { db: Kysely<Database>; now?: () => Date; email: boolean }, client: ApiClient, input: PostUpdateInput, ip: string | null = null) {
  const source = `api_key:${client.id}`;
  const missing = () => notFound(`Service request "${input.service_request_id}"`);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // Locked first, so two retries of one update are applied one after the other.
      const report = await lockReportByCode(trx, input.service_request_id);
      if (!report) throw missing();
      const seen = await findExternalUpdate(trx, source, input.update_id);
      if (seen) {
        if (seen.report_id !== report.id) {
          throw validationFailed({ update_id: `update_id "${input.update_id}" was already used for another request` });
        }
        return [{ update_id: seen.event_id }];
      }
      const action = clientActionOf(input.status, report.status, input.description);
      const done = await performActionIn(trx, deps, client, report.code, action, ip);
      await insertExternalUpdate(trx, { source, update_id: input.update_id, report_id: report.id, event_id: done.event_id });
      return [{ update_id: done.event_id }];
    });
  } catch (error) {
    // performAction's "Report not found" covers held and out-of-scope reports too; Open311 names the id.
    if (error instanceof DomainError && error.status === 404) throw missing();
    throw error;
  }
}
