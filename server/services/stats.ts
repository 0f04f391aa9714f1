import type { Kysely } from 'kysely';
import { h3CellCentre, h3EdgeLengthKm, int8ToH3 } from '../../spatial/h3-cells.js';
import { findAreaByCode } from '../db/areas.repo.js';
import { REPORT_STATUSES, type Database, type ReportStatus } from '../db/database.js';
import {
  HANDLING_BUCKET_EDGES, SATISFACTION_WEIGHTS, selectAging, selectAreaMetrics, selectHexCells, selectHourWeekday, selectMetrics, selectPoints,
  selectTimeseries, selectUnitMetrics, selectWorstOverdue, type MetricRow, type StatsFilter, type HEX_COLUMNS,
} from '../db/stats.repo.js';
import { validationFailed } from '../errors.js';

export interface StatsQuery {
  area?: string;
  field?: string[];
  status?: ReportStatus[];
  unit?: number[];
  from?: string;
  to?: string;
}

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 3 * 366;
/** A wall can show this many points before hexagons say more than dots. */
export const POINT_CAP = 50_000;

/** Today's date in Asia/Ho_Chi_Minh. */
export function localDate(at: Date): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** Turns the shared query parameters into a filter; the default window is the last 30 days including today. */
export async function resolveFilter(db: Kysely<Database>, q: StatsQuery, now: Date): Promise<StatsFilter> {
  const to = q.to ?? addDays(localDate(now), 1);
  const from = q.from ?? addDays(to, -30);
  if (from >= to) throw validationFailed({ from: 'from must be before to' });
  if ((Date.parse(to) - Date.parse(from)) / DAY > MAX_RANGE_DAYS) throw validationFailed({ from: 'The window may span at most 3 years' });
  const filter: StatsFilter = { from, to, fields: q.field, statuses: q.status, unitIds: q.unit };
  if (q.area) {
    const area = await findAreaByCode(db, q.area);
    if (!area) throw validationFailed({ area: `Unknown area ${q.area}` });
    if (area.level === 'ward') filter.wardId = area.id;
    if (area.level === 'district') filter.districtId = area.id;
  }
  return filter;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/**
 * The satisfaction index and its parts, each a share in [0, 1]. Missing parts
 * (no resolved or rated reports) drop out and the weights renormalise.
 */
export function satisfaction(m: MetricRow) {
  const components = {
    on_time: rate(m.on_time, m.resolved),
    satisfied: rate(m.satisfied, m.rated),
    speed: m.speed === null ? null : Number(m.speed),
    never_reopened: rate(m.never_reopened, m.resolved),
  };
  let weight = 0;
  let sum = 0;
  for (const [k, v] of Object.entries(components) as [keyof typeof SATISFACTION_WEIGHTS, number | null][]) {
    if (v === null) continue;
    weight += SATISFACTION_WEIGHTS[k];
    sum += SATISFACTION_WEIGHTS[k] * v;
  }
  return { index: weight > 0 ? round((100 * sum) / weight) : null, components, weights: SATISFACTION_WEIGHTS };
}

export function metricsToPublic(m: MetricRow) {
  const s = satisfaction(m);
  return {
    total: m.total,
    open: m.open,
    overdue: m.overdue,
    resolved: m.resolved,
    on_time_rate: round(rate(m.on_time, m.resolved), 4),
    median_handling_hours: round(m.median_handling_hours === null ? null : Number(m.median_handling_hours)),
    rated: m.rated,
    satisfied_rate: round(rate(m.satisfied, m.rated), 4),
    satisfaction_index: s.index,
    components: s.components,
  };
}

export async function summary(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  const span = (Date.parse(f.to) - Date.parse(f.from)) / DAY;
  const previous = { ...f, from: addDays(f.from, -span), to: f.from };
  const [metrics, before] = await Promise.all([selectMetrics(db, f, now), selectMetrics(db, previous, now)]);
  const current = metricsToPublic(metrics);
  const prior = metricsToPublic(before);
  const { by_status, by_field } = metrics;
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 4));
  return {
    window: { from: f.from, to: f.to, time_zone: 'Asia/Ho_Chi_Minh' },
    ...current,
    by_status,
    by_field,
    weights: SATISFACTION_WEIGHTS,
    previous: { from: previous.from, to: previous.to, ...prior },
    change: {
      total: current.total - prior.total,
      on_time_rate: delta(current.on_time_rate, prior.on_time_rate),
      median_handling_hours: delta(current.median_handling_hours, prior.median_handling_hours),
      satisfaction_index: delta(current.satisfaction_index, prior.satisfaction_index),
    },
  };
}

export async function areaStats(db: Kysely<Database>, level: 'district' | 'ward', parent: string | undefined, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  let parentId: number | undefined;
  if (parent) {
    const area = await findAreaByCode(db, parent);
    if (!area) throw validationFailed({ parent: `Unknown area ${parent}` });
    if (area.level !== 'province') parentId = area.id;
  }
  const rows = await selectAreaMetrics(db, level, parentId, f, now);
  return rows.map((r) => ({ code: r.code, name_vi: r.name_vi, name_en: r.name_en, ...metricsToPublic(r) }));
}

export async function unitStats(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const rows = await selectUnitMetrics(db, await resolveFilter(db, q, now), now);
  return rows.map((r) => ({ id: r.id, name_vi: r.name_vi, name_en: r.name_en, kind: r.kind, ...metricsToPublic(r) }));
}

export async function hexStats(db: Kysely<Database>, res: keyof typeof HEX_COLUMNS, bbox: [number, number, number, number] | undefined, q: StatsQuery, now = new Date()) {
  const rows = await selectHexCells(db, res, bbox, await resolveFilter(db, q, now), now);
  const inView = bbox && res <= 7 ? cellInView(bbox, res) : () => true;
  const out = [];
  for (const r of rows) {
    const h3 = int8ToH3(r.cell);
    if (!inView(h3)) continue;
    const median = r.median_bucket === null ? null : interpolateMedian(r.median_bucket, r.below!, r.in_bucket!, r.resolved!);
    out.push({ h3, count: r.count, overdue: r.overdue, median_handling_hours: round(median) });
  }
  return out;
}

/**
 * A hexagon's median handling time, estimated from its handling-time
 * histogram: the bucket holding the median, interpolated linearly inside it
 * (so within that bucket's bounds, e.g. 48–72 h). Summary, areas and units
 * report the exact median; a map colour does not need it.
 */
export function estimateMedian(histogram: number[]): number | null {
  const n = histogram.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = (n - 1) / 2;
  let below = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    if (rank < below + histogram[bucket]) return interpolateMedian(bucket, below, histogram[bucket], n);
    below += histogram[bucket];
  }
  return null;
}

/** The median's estimate once its bucket is known: `below` values lie under the bucket, `inBucket` in it, `total` in all. */
export function interpolateMedian(bucket: number, below: number, inBucket: number, total: number): number {
  const rank = (total - 1) / 2;
  const low = bucket === 0 ? 0 : HANDLING_BUCKET_EDGES[bucket - 1];
  const high = HANDLING_BUCKET_EDGES[bucket];
  if (high === undefined) return low; // the open-ended last bucket: at least its lower edge
  return low + ((rank - below + 0.5) / inBucket) * (high - low);
}

/** Cells whose centre lies in the bbox grown by one cell edge, so cells cut by the view's edge stay in. */
function cellInView([west, south, east, north]: [number, number, number, number], res: number) {
  const padLat = h3EdgeLengthKm(res) / 111;
  const padLon = padLat / Math.cos(((south + north) / 2) * (Math.PI / 180));
  return (h3: string) => {
    const [lon, lat] = h3CellCentre(h3);
    return lat >= south - padLat && lat <= north + padLat && lon >= west - padLon && lon <= east + padLon;
  };
}

export async function timeseries(db: Kysely<Database>, interval: 'day' | 'week', q: StatsQuery, now = new Date()) {
  return selectTimeseries(db, interval, await resolveFilter(db, q, now));
}

export async function hourWeekday(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const rows = await selectHourWeekday(db, await resolveFilter(db, q, now));
  // A full 7 × 24 grid (Monday = 1), zeros included, so charts need no gap logic.
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const r of rows) grid[r.weekday - 1][r.hour] = r.n;
  return { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], grid };
}

export async function aging(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const rows = await selectAging(db, await resolveFilter(db, q, now), now);
  const order = ['not_due', 'late_0_3', 'late_3_7', 'late_7_30', 'late_30_plus'];
  return order.map((bucket) => ({ bucket, count: rows.find((r) => r.bucket === bucket)?.n ?? 0 }));
}

export async function worstOverdue(db: Kysely<Database>, q: StatsQuery, limit: number, now = new Date()) {
  const rows = await selectWorstOverdue(db, await resolveFilter(db, q, now), now, limit);
  return rows.map((r) => ({
    code: r.code, title: r.title, status: r.status, field: r.field_code, ward: r.ward_name_vi,
    unit: r.unit_name_vi ? { name_vi: r.unit_name_vi, name_en: r.unit_name_en } : null,
    created_at: r.created_at.toISOString(), due_at: r.due_at.toISOString(),
    days_late: Math.floor((now.getTime() - r.due_at.getTime()) / DAY), location: { lat: r.lat, lon: r.lon },
  }));
}

export const STATUS_INDEX: ReportStatus[] = [...REPORT_STATUSES];

/**
 * Points in a viewport as one binary buffer (little-endian): u32 count, then
 * count × f32 lon, f32 lat, u8 status (index in STATUS_INDEX), u8 deadline state
 * (0 none, 1 on track, 2 due soon, 3 overdue, 4 more than 3× late), 8 ASCII code bytes.
 * Undefined when more than POINT_CAP match: the console shows hexagons then.
 */
export async function pointsBuffer(db: Kysely<Database>, bbox: [number, number, number, number], q: StatsQuery, now = new Date()) {
  const rows = await selectPoints(db, bbox, await resolveFilter(db, q, now), now, POINT_CAP);
  if (rows.length > POINT_CAP) return undefined;
  const n = rows.length;
  const buffer = new ArrayBuffer(4 + n * 8 + n * 2 + n * 8);
  const view = new DataView(buffer);
  view.setUint32(0, n, true);
  const lon = new Float32Array(buffer, 4, n);
  const lat = new Float32Array(buffer, 4 + n * 4, n);
  const status = new Uint8Array(buffer, 4 + n * 8, n);
  const sla = new Uint8Array(buffer, 4 + n * 9, n);
  const codes = new Uint8Array(buffer, 4 + n * 10, n * 8);
  rows.forEach((r, i) => {
    lon[i] = r.lon;
    lat[i] = r.lat;
    status[i] = STATUS_INDEX.indexOf(r.status);
    sla[i] = r.sla;
    codes.set(Buffer.from(r.code.padEnd(8).slice(0, 8), 'ascii'), i * 8);
  });
  return new Uint8Array(buffer);
}

export function assertResolution(res: number): asserts res is keyof typeof HEX_COLUMNS {
  if (![5, 6, 7, 8, 9].includes(res)) throw validationFailed({ res: 'res must be 5–9' });
}
