import type { InferResponseType } from 'hono/client';
import { api, ApiError, unwrap } from '../api.js';

/**
 * The console's and the wall's calls to /api/stats/*, through the one typed
 * client. A wall authorises with a read-only display token (sent as the
 * X-Display-Token header); the console with the staff session cookie.
 */

export type Summary = InferResponseType<typeof api.stats.summary.$get, 200>;
export type AreaStat = InferResponseType<typeof api.stats.areas.$get, 200>[number];
export type HexStat = InferResponseType<typeof api.stats.hexes.$get, 200>[number];
export type TimePoint = InferResponseType<typeof api.stats.timeseries.$get, 200>[number];
export type HourWeekday = InferResponseType<(typeof api.stats)['hour-weekday']['$get'], 200>;
export type UnitStat = InferResponseType<typeof api.stats.units.$get, 200>[number];
export type AgingBucket = InferResponseType<typeof api.stats.aging.$get, 200>[number];
export type OverdueReport = InferResponseType<typeof api.stats.overdue.$get, 200>[number];

/** The filters every statistic shares, as the API spells them. */
export interface StatsFilters {
  area?: string;
  field?: string[];
  status?: string[];
  unit?: number[];
  from?: string;
  to?: string;
}

export type Bbox = [west: number, south: number, east: number, north: number];

/** How a request authorises: the session cookie (console) or a display token (wall). */
export interface Auth {
  displayToken?: string | null;
  /** Called on 401, after which the caller's data stays as it was. */
  onUnauthorized?: () => void;
}

export function filterQuery(f: StatsFilters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.area && f.area.length > 2) q.area = f.area;
  if (f.field?.length) q.field = f.field.join(',');
  if (f.status?.length) q.status = f.status.join(',');
  if (f.unit?.length) q.unit = f.unit.join(',');
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  return q;
}

const bboxParam = (b: Bbox) => b.map((v) => v.toFixed(4)).join(',');

function init(auth: Auth, signal?: AbortSignal) {
  return {
    init: { signal, credentials: 'same-origin' as const },
    headers: auth.displayToken ? { 'X-Display-Token': auth.displayToken } : undefined,
  };
}

async function check<T>(auth: Auth, res: { ok: boolean; status: number; json(): Promise<T> }): Promise<T> {
  if (res.status === 401) auth.onUnauthorized?.();
  return unwrap(res);
}

export class StatsClient {
  constructor(readonly auth: Auth) {}

  summary(f: StatsFilters, signal?: AbortSignal): Promise<Summary> {
    return this.get(() => api.stats.summary.$get({ query: filterQuery(f) }, init(this.auth, signal)));
  }
  areas(level: 'district' | 'ward', parent: string | undefined, f: StatsFilters, signal?: AbortSignal): Promise<AreaStat[]> {
    // Areas are the map's breakdown: the selected area is their parent, not a filter.
    const query = { ...filterQuery({ ...f, area: undefined }), level, ...(parent ? { parent } : {}) };
    return this.get(() => api.stats.areas.$get({ query }, init(this.auth, signal)));
  }
  hexes(res: number, bbox: Bbox, f: StatsFilters, signal?: AbortSignal): Promise<HexStat[]> {
    const query = { ...filterQuery(f), res: String(res), bbox: bboxParam(bbox) };
    return this.get(() => api.stats.hexes.$get({ query }, init(this.auth, signal)));
  }
  timeseries(interval: 'day' | 'week', f: StatsFilters, signal?: AbortSignal): Promise<TimePoint[]> {
    return this.get(() => api.stats.timeseries.$get({ query: { ...filterQuery(f), interval } }, init(this.auth, signal)));
  }
  hourWeekday(f: StatsFilters, signal?: AbortSignal): Promise<HourWeekday> {
    return this.get(() => api.stats['hour-weekday'].$get({ query: filterQuery(f) }, init(this.auth, signal)));
  }
  units(f: StatsFilters, signal?: AbortSignal): Promise<UnitStat[]> {
    return this.get(() => api.stats.units.$get({ query: filterQuery(f) }, init(this.auth, signal)));
  }
  aging(f: StatsFilters, signal?: AbortSignal): Promise<AgingBucket[]> {
    return this.get(() => api.stats.aging.$get({ query: filterQuery(f) }, init(this.auth, signal)));
  }
  overdue(f: StatsFilters, limit: number, signal?: AbortSignal): Promise<OverdueReport[]> {
    return this.get(() => api.stats.overdue.$get({ query: { ...filterQuery(f), limit: String(limit) } }, init(this.auth, signal)));
  }

  /**
   * Report points in a bounding box as a binary buffer, or 'hexes' when the
   * server says there are too many to draw one by one.
   */
  async points(bbox: Bbox, f: StatsFilters, signal?: AbortSignal): Promise<{ buffer: ArrayBuffer; statuses: string[] } | 'hexes'> {
    const res = await api.stats.points.$get({ query: { ...filterQuery(f), bbox: bboxParam(bbox) } }, init(this.auth, signal));
    if (!res.ok) return check(this.auth, res as unknown as Response);
    const type = res.headers.get('Content-Type') ?? '';
    if (type.includes('application/json')) {
      const body = (await res.json()) as { mode?: string };
      if (body.mode === 'hexes') return 'hexes';
      throw new ApiError(500, 'bad_response', 'Unexpected points answer');
    }
    const statuses = (res.headers.get('X-Statuses') ?? '').split(',');
    return { buffer: await res.arrayBuffer(), statuses };
  }

  /** The server-sent events URL; EventSource cannot send headers, so the token rides in the query. */
  eventsUrl(): string {
    const url = new URL('/api/events', window.location.origin);
    if (this.auth.displayToken) url.searchParams.set('display_token', this.auth.displayToken);
    return url.toString();
  }

  private async get<T>(call: () => Promise<{ ok: boolean; status: number; json(): Promise<T> }>): Promise<T> {
    return check(this.auth, await call());
  }
}
