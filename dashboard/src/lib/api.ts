import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { hc, type InferResponseType } from 'hono/client';
import type { AppType } from '../../../server/app.js';
import type { CreatedReport } from '../../../server/services/reports.js';
import { deviceId } from './citizen/ids.js';
import { i18n } from './i18n.svelte.js';

/**
 * The one API client; its types come from the server's routes. Every call names this device, which the rate limits count,
 * and the language chosen in the app, which the server writes its messages in (not the browser's own list).
 */
export const api = hc<AppType>(`${window.location.origin}/api`, { headers: () => ({ 'X-Device-Id': deviceId(), 'Accept-Language': i18n.lang }) });

export type AreaLevel = 'province' | 'district' | 'ward';

export interface AreaProperties {
  code: string;
  level: AreaLevel;
  name_vi: string;
  name_en: string;
  full_name_vi: string;
  full_name_en: string;
  parent: string | null;
  area_km2: number;
  /** A point inside the area, [lng, lat], where its name goes. */
  label: [number, number];
}

export type AreaCollection = FeatureCollection<Polygon | MultiPolygon, AreaProperties>;

export type MapConfig = InferResponseType<typeof api.config.$get, 200>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * An answer's JSON, or the error its body describes (our one error shape; with `fields` an ApiFieldError).
 * Every client of the API (citizen, staff, console, planning) reads errors through this.
 */
export async function unwrap<T>(res: { ok: boolean; status: number; json(): Promise<T> }): Promise<T> {
  if (res.ok) return res.json();
  throw await errorFromBody(res.status, () => res.json() as Promise<unknown>);
}

export async function fetchConfig(signal?: AbortSignal): Promise<MapConfig> {
  return unwrap(await api.config.$get(undefined, { init: { signal } }));
}

/** Boundaries of every area at one level, simplified for the given zoom. */
export async function fetchAreas(level: AreaLevel, zoom: number, signal?: AbortSignal): Promise<AreaCollection> {
  const res = await api.areas.$get({ query: { level, zoom: String(zoom) } }, { init: { signal } });
  // The server builds geometry from JSON text, so its inferred type is `any`; this names it.
  return (await unwrap(res)) as AreaCollection;
}

// ---------------------------------------------------------------------------
// Citizen reporting

export type Field = InferResponseType<typeof api.fields.$get, 200>[number];
export type AreasAt = InferResponseType<typeof api.areas.at.$get, 200>;
export type NearbyReports = InferResponseType<typeof api.reports.nearby.$get, 200>;
export type NearbyReport = NearbyReports['reports'][number];
export type PublicReport = InferResponseType<(typeof api.reports)[':code']['$get'], 200>;
export type TimelineEvent = PublicReport['timeline'][number];
export type ReportMedia = PublicReport['media'][number];
export type ReportPage = InferResponseType<typeof api.reports.$get, 200>;
export type ReportFeature = ReportPage['features'][number];

/** A report's handling status, as the server names it. */
export type ReportStatus = PublicReport['status'];

/** What POST /api/reports answers with 201: the server's own type (multipart is sent by XHR, outside `hc`). */
export type { CreatedReport };

/** An API error that may name the inputs it is about (400 validation_failed and friends). */
export class ApiFieldError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(status, code, message);
    this.name = 'ApiFieldError';
  }
}

export async function fetchFields(signal?: AbortSignal): Promise<Field[]> {
  return unwrap(await api.fields.$get(undefined, { init: { signal } }));
}

/** The ward and former district a point falls in; ApiError 422 `outside_region` outside the province. */
export async function fetchAreasAt(lat: number, lon: number, signal?: AbortSignal): Promise<AreasAt> {
  return unwrap(await api.areas.at.$get({ query: { lat: String(lat), lon: String(lon) } }, { init: { signal } }));
}

/** Open reports of the same field near a point: what the citizen may be about to duplicate. */
export async function fetchNearby(lat: number, lon: number, field: string, signal?: AbortSignal): Promise<NearbyReports> {
  return unwrap(await api.reports.nearby.$get({ query: { lat: String(lat), lon: String(lon), field } }, { init: { signal } }));
}

export type PlaceHit = InferResponseType<typeof api.places.search.$get, 200>[number];
export type PlaceNear = InferResponseType<typeof api.places.reverse.$get, 200>;

/** Streets, POIs, places and wards by name (tone marks and typos forgiven), closest to `near` ([lng, lat]) first among equals. */
export async function searchPlaces(q: string, options: { limit?: number; near?: [number, number] }, signal?: AbortSignal): Promise<PlaceHit[]> {
  const query: { q: string; limit?: string; near?: string } = { q };
  if (options.limit) query.limit = String(options.limit);
  if (options.near) query.near = `${options.near[1].toFixed(5)},${options.near[0].toFixed(5)}`;
  return unwrap(await api.places.search.$get({ query }, { init: { signal } }));
}

/** The named street and house number nearest a point, and its ward; ApiError 422 `outside_region` outside the province. */
export async function fetchPlaceNear(lat: number, lon: number, signal?: AbortSignal): Promise<PlaceNear> {
  return unwrap(await api.places.reverse.$get({ query: { lat: String(lat), lon: String(lon) } }, { init: { signal } }));
}

export async function followReport(code: string, contact: { name?: string; phone?: string; email?: string; contact_consent?: boolean }) {
  return unwrap(await api.reports[':code'].follow.$post({ param: { code }, json: contact }));
}

/** Confirms an e-mail follower's address with the token from their confirmation link. */
export async function confirmFollow(code: string, token: string) {
  return unwrap(await api.reports[':code'].follow.confirm.$post({ param: { code }, json: { token } }));
}

export async function fetchReport(code: string, signal?: AbortSignal): Promise<PublicReport> {
  return unwrap(await api.reports[':code'].$get({ param: { code } }, { init: { signal } }));
}

export async function rateReport(code: string, body: { manage_token: string; satisfied: boolean; comment?: string }) {
  return unwrap(await api.reports[':code'].rating.$post({ param: { code }, json: body }));
}

export async function withdrawReport(code: string, body: { manage_token: string; reason?: string }) {
  return unwrap(await api.reports[':code'].withdraw.$post({ param: { code }, json: body }));
}

export interface ReportQuery {
  bbox: [number, number, number, number];
  fields: string[];
  statuses: string[];
  cursor?: string;
}

/** One page (at most 1000) of public reports inside a bounding box, as GeoJSON. */
export async function fetchReportPage(q: ReportQuery, signal?: AbortSignal): Promise<ReportPage> {
  const query: Record<string, string> = { bbox: q.bbox.map((v) => v.toFixed(5)).join(','), limit: '1000' };
  if (q.fields.length) query.field = q.fields.join(',');
  if (q.statuses.length) query.status = q.statuses.join(',');
  if (q.cursor) query.cursor = q.cursor;
  return unwrap(await api.reports.$get({ query }, { init: { signal } }));
}

async function errorFromBody(status: number, read: () => Promise<unknown>): Promise<ApiError> {
  try {
    const body = (await read()) as { error?: { code?: string; message?: string; fields?: Record<string, string> } };
    const code = body.error?.code ?? 'http_error';
    const message = body.error?.message ?? `HTTP ${status}`;
    return body.error?.fields ? new ApiFieldError(status, code, message, body.error.fields) : new ApiError(status, code, message);
  } catch {
    // Not our JSON error shape (a proxy page during a restart, say): the status is all we know.
    return new ApiError(status, 'http_error', `HTTP ${status}`);
  }
}

export interface NewReportSubmission {
  field: string;
  title: string;
  description: string;
  lat: number;
  lon: number;
  name?: string;
  phone?: string;
  email?: string;
  hideName: boolean;
  /** Agreement to the contact-data notice (Decree 13/2023); the server refuses contact details without it. */
  contactConsent?: boolean;
  photos: File[];
  video?: File;
  /** When the form was opened (ISO); a form sent faster than a person could fill it waits for review. */
  openedAt?: string;
  /** The hidden honeypot input; people leave it empty. */
  honeypot?: string;
}

export interface UploadHandle {
  done: Promise<CreatedReport>;
  abort(): void;
}

/**
 * Files a report as multipart/form-data. XMLHttpRequest rather than fetch,
 * because only it reports upload progress. The Idempotency-Key makes a retry
 * after a lost answer safe: the server replays the first reply.
 */
export function submitReport(report: NewReportSubmission, idempotencyKey: string, onProgress: (fraction: number) => void): UploadHandle {
  const form = new FormData();
  form.set('field', report.field);
  form.set('title', report.title);
  form.set('description', report.description);
  form.set('lat', report.lat.toFixed(6));
  form.set('lon', report.lon.toFixed(6));
  if (report.name) form.set('name', report.name);
  if (report.phone) form.set('phone', report.phone);
  if (report.email) form.set('email', report.email);
  form.set('hide_name', report.hideName ? 'true' : 'false');
  if (report.contactConsent) form.set('contact_consent', 'true');
  for (const photo of report.photos) form.append('photos', photo, photo.name);
  if (report.video) form.set('video', report.video, report.video.name);
  if (report.openedAt) form.set('opened_at', report.openedAt);
  form.set('website', report.honeypot ?? '');

  const xhr = new XMLHttpRequest();
  const done = new Promise<CreatedReport>((resolve, reject) => {
    xhr.open('POST', `${window.location.origin}/api/reports`);
    xhr.setRequestHeader('Idempotency-Key', idempotencyKey);
    xhr.setRequestHeader('X-Device-Id', deviceId());
    xhr.setRequestHeader('Accept-Language', i18n.lang);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const read = async () => JSON.parse(xhr.responseText) as unknown;
      if (xhr.status === 201 || xhr.status === 200) {
        read().then((body) => resolve(body as CreatedReport), () => reject(new ApiError(xhr.status, 'bad_response', 'Unreadable answer')));
      } else {
        errorFromBody(xhr.status, read).then(reject);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'Network error'));
    xhr.onabort = () => reject(new DOMException('Upload aborted', 'AbortError'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

// ---------------------------------------------------------------------------
// Assistant (issue 8)

export type AssistantReply = InferResponseType<typeof api.assistant.$post, 200>;
export type AssistantState = AssistantReply['state'];

/** One chat turn; the conversation state travels with it, the server keeps none. */
export async function askAssistant(
  body: { message: string; lang?: 'vi' | 'en'; state?: AssistantState; location?: { lat: number; lon: number } },
  signal?: AbortSignal,
): Promise<AssistantReply> {
  return unwrap(await api.assistant.$post({ json: body }, { init: { signal } }));
}

/** The fields a title and description are most likely about, best first. */
export async function classifyReport(title: string, description: string, signal?: AbortSignal) {
  return unwrap(await api.assistant.classify.$post({ json: { title, description } }, { init: { signal } }));
}

// ---------------------------------------------------------------------------
// Back office: abuse marks

/**
 * Marks the client and/or phone a report came from as abusive (or lifts the
 * marks with abusive: false); later reports from them wait for review. Staff
 * only, so the caller passes the session's CSRF token; a 400 names its fields.
 */
export async function markReportSender(code: string, body: { client: boolean; phone: boolean; abusive?: boolean; reason: string }, csrfToken: string) {
  return unwrap(await api.staff.reports[':code'].abuse.$post({ param: { code }, json: body }, { headers: { 'X-CSRF-Token': csrfToken } }));
}

// ---------------------------------------------------------------------------
// Monthly league table (public)

export type LeagueBy = 'unit' | 'ward';
export type LeagueTable = InferResponseType<typeof api.league.$get, 200>;
export type LeagueRow = LeagueTable['rows'][number];
export type LeagueShare = LeagueRow['on_time'];
export type LeagueCases = InferResponseType<typeof api.league.cases.$get, 200>;
export type LeagueCase = LeagueCases['cases'][number];
export type LeagueMeasure = LeagueCases['measure'];

/** The league table of one month; without a month the server picks the last complete one. */
export async function fetchLeague(by: LeagueBy, month: string | undefined, signal?: AbortSignal): Promise<LeagueTable> {
  return unwrap(await api.league.$get({ query: { by, ...(month ? { month } : {}) } }, { init: { signal } }));
}

/** The reports behind one figure of a league row (at most 200, newest first, with the full count). */
export async function fetchLeagueCases(
  q: { by: LeagueBy; code: string; month: string; measure: LeagueMeasure },
  signal?: AbortSignal,
): Promise<LeagueCases> {
  return unwrap(await api.league.cases.$get({ query: q }, { init: { signal } }));
}
