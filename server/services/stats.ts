import type { Kysely } from 'kysely';
import { h3CellCentre, h3EdgeLengthKm, int8ToH3 } from '../../spatial/h3-cells.js';
import { findAreaByCode } from '../db/areas.repo.js';
import { REPORT_STATUSES, type Database, type ReportStatus } from '../db/database.js';
import {
  selectAllUnits, selectAreasOfLevel, selectFineHexCells, selectLeagueCases, selectPoints, selectWorstOverdue, type StatsFilter,
} from '../db/stats.repo.js';
import { MIN_SAMPLE, type LeagueMeasure } from '../domain/league.js';
import { HIDDEN_STATUSES } from '../domain/statuses.js';
import { DomainError, validationFailed } from '../errors.js';
import { medianOf, wilson } from './stats-math.js';
import {
  dateOfDay, dayOfDate, dayRange, localDayOf, statsStore, STORE_RESOLUTIONS, weekdayOf, type StatsStore, type StoreResolution,
} from './stats-store.js';

/**
 * Every console figure, defined once (the README repeats these words):
 * - The window [from, to) is a span of local dates in Asia/Ho_Chi_Minh.
 * - Received: reports created in the window. By status and by field count these.
 * - Resolved: reports whose resolution (resolved_at) falls in the window,
 *   whenever they were received. Handling time, on-time, speed and ratings
 *   are read over these.
 * - On time: among resolved reports with a valid deadline (due after
 *   creation), the share resolved by the deadline. Reports without one are
 *   counted apart (no_deadline), in neither numerator nor denominator.
 * - Median handling time: the exact median of resolved_at − created_at in hours
 *   (percentile_cont(0.5)), for every group and every hexagon.
 * - Reopened: reopenings that happened in the window, counted against the
 *   report's unit then, whether or not it was resolved again.
 * - Now (open, overdue, aging, worst overdue): the whole open backlog at this
 *   moment, whatever the window; only the area, field, status and unit filters apply.
 * - Held reports (possible spam, needs_review) count in no figure; the
 *   dispatcher's inbox shows how many wait.
 * - Every rate carries its sample and a 95% Wilson interval, and is flagged
 *   `enough: false` below MIN_SAMPLE; rankings order by the interval's lower bound.
 * - Satisfaction index 0–100: the weighted mean of on-time, satisfied share of
 *   ratings, speed (1 when instant, ½ at the deadline, 0 at twice the deadline
 *   or later) and the share of resolutions not reopened; weights in
 *   SATISFACTION_WEIGHTS, renormalised over the parts that have data.
 */
export const TZ = 'Asia/Ho_Chi_Minh';
export const SATISFACTION_WEIGHTS = { on_time: 0.35, satisfied: 0.3, speed: 0.2, not_reopened: 0.15 } as const;

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

/** What one group's reports add up to, unrounded. */
export interface Tally {
  received: number;
  byStatus: number[];
  byField: number[];
  resolved: number;
  withDeadline: number;
  onTime: number;
  speedSum: number;
  rated: number;
  satisfied: number;
  reopened: number;
  /** The exact median handling time in hours of the resolved reports; null with none. */
  median: number | null;
  open: number;
  overdue: number;
  overdue30: number;
  /** Epoch seconds of the earliest missed deadline among open reports; 0 with none. */
  oldestDue: number;
}

const newTally = (fields: number): Tally => ({
  received: 0, byStatus: Array<number>(REPORT_STATUSES.length).fill(0), byField: Array<number>(fields).fill(0), resolved: 0,
  withDeadline: 0, onTime: 0, speedSum: 0, rated: 0, satisfied: 0, reopened: 0, median: null, open: 0, overdue: 0, overdue30: 0, oldestDue: 0,
});

/** What figures are grouped by: nothing (one group, 0), an area level, the unit (0: not routed), or the H3 cell at 5–7. */
export type GroupKind = 'all' | 'ward' | 'district' | 'unit' | StoreResolution;

function groupFn(store: StatsStore, kind: GroupKind): (i: number) => number {
  if (kind === 'all') return () => 0;
  if (kind === 'ward') return (i) => store.ward[i];
  if (kind === 'district') return (i) => store.district[i];
  if (kind === 'unit') return (i) => store.unit[i];
  const cells = store.hex[STORE_RESOLUTIONS.indexOf(kind)];
  return (i) => cells[i];
}

/**
 * Every figure per group: the window's part (received, resolved and
 * reopened in it), shared between viewers until the data changes, and the
 * backlog now, counted per request since it moves with the clock.
 */
export function tally(store: StatsStore, f: StatsFilter, now: Date, kind: GroupKind = 'all'): Map<number, Tally> {
  const window = store.remember(`window|${kind}|${JSON.stringify(f)}`, () => windowTally(store, f, kind));
  const result = new Map<number, Tally>();
  const fields = store.fieldCodes.length;
  for (const [g, w] of window) result.set(g, { ...newTally(fields), ...w });
  const nowS = now.getTime() / 1000;
  const monthAgo = nowS - 30 * 86_400;
  const match = store.matcher(f);
  const groupOf = groupFn(store, kind);
  const { due } = store;
  for (const i of store.index().open) {
    if (!match(i)) continue;
    const g = groupOf(i);
    let t = result.get(g);
    if (!t) result.set(g, (t = newTally(fields)));
    t.open++;
    const d = due[i];
    if (d && d < nowS) {
      t.overdue++;
      if (d < monthAgo) t.overdue30++;
      if (!t.oldestDue || d < t.oldestDue) t.oldestDue = d;
    }
  }
  return result;
}

/**
 * The window's part of the figures: reports received in it, those resolved
 * in it, and the reopenings in it. Each visits only its own reports, through
 * the store's day-ordered index.
 */
function windowTally(store: StatsStore, f: StatsFilter, kind: GroupKind): Map<number, Tally> {
  const match = store.matcher(f);
  const groupOf = groupFn(store, kind);
  const index = store.index();
  const from = dayOfDate(f.from);
  const to = dayOfDate(f.to);
  // Groups are small integers (ids, cell numbers): an array finds them faster than a Map.
  const groups: Tally[] = [];
  const get = (g: number) => groups[g] ?? (groups[g] = newTally(store.fieldCodes.length));
  const { created, resolved, due, reopened, status, field } = store;

  const received = index.byCreated;
  for (let [k, end] = dayRange(received, from, to); k < end; k++) {
    const i = received.slots[k];
    if (!match(i)) continue;
    const t = get(groupOf(i));
    t.received++;
    t.byStatus[status[i]]++;
    t.byField[field[i]]++;
  }

  const done = index.byResolved;
  const [first, last] = dayRange(done, from, to);
  // Handling hours and their group, in visiting order, for the medians below.
  const hours = new Float64Array(last - first);
  const hourGroup = new Int32Array(last - first);
  let m = 0;
  for (let k = first; k < last; k++) {
    const i = done.slots[k];
    if (!match(i)) continue;
    const g = groupOf(i);
    const t = get(g);
    const c = created[i];
    const r = resolved[i];
    t.resolved++;
    hours[m] = (r - c) / 3600;
    hourGroup[m++] = g;
    const d = due[i];
    if (d > c) {
      t.withDeadline++;
      if (r <= d) t.onTime++;
      t.speedSum += Math.max(0, Math.min(1, 1 - (r - c) / (2 * (d - c))));
    }
    if (store.isRated(i)) {
      t.rated++;
      if (store.isSatisfied(i)) t.satisfied++;
    }
  }
  medians(groups, hours, hourGroup, m);

  for (const i of index.reopened) {
    const day = localDayOf(reopened[i]);
    if (day < from || day >= to || !match(i)) continue;
    get(groupOf(i)).reopened++;
  }
  const result = new Map<number, Tally>();
  groups.forEach((t, g) => result.set(g, t));
  return result;
}

/** Each group's exact median from the first n (hours, group) pairs: grouped by a counting sort, then selected in place. */
function medians(groups: Tally[], hours: Float64Array, hourGroup: Int32Array, n: number) {
  const start: number[] = [];
  groups.forEach((t, g) => (start[g] = t.resolved));
  let offset = 0;
  start.forEach((count, g) => {
    start[g] = offset;
    offset += count;
  });
  const sorted = new Float64Array(n);
  const next = [...start];
  for (let j = 0; j < n; j++) sorted[next[hourGroup[j]]++] = hours[j];
  groups.forEach((t, g) => (t.median = medianOf(sorted, start[g], start[g] + t.resolved)));
}

const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** A share with its sample, 95% interval, and whether the sample is large enough to compare. */
export function proportion(successes: number, n: number) {
  const interval = wilson(successes, n);
  return {
    n,
    rate: n > 0 ? successes / n : null,
    low: interval?.low ?? null,
    high: interval?.high ?? null,
    enough: n >= MIN_SAMPLE,
  };
}

function components(t: Tally) {
  return {
    on_time: proportion(t.onTime, t.withDeadline),
    satisfied: proportion(t.satisfied, t.rated),
    // A mean of values in [0, 1]; its interval treats it as a share of the same sample (conservative).
    speed: proportion(t.speedSum, t.withDeadline),
    not_reopened: proportion(Math.max(0, t.resolved - t.reopened), Math.max(t.resolved, t.reopened)),
  };
}

type Part = 'rate' | 'low' | 'high';
/** The weighted index over the parts that have data, from their rates or their interval bounds. */
function indexOf(c: ReturnType<typeof components>, part: Part): number | null {
  let weight = 0;
  let sum = 0;
  for (const k of Object.keys(SATISFACTION_WEIGHTS) as (keyof typeof SATISFACTION_WEIGHTS)[]) {
    const v = c[k][part];
    if (v === null) continue;
    weight += SATISFACTION_WEIGHTS[k];
    sum += SATISFACTION_WEIGHTS[k] * v;
  }
  return weight > 0 ? (100 * sum) / weight : null;
}

/** A tally's figures, unrounded. */
function figures(t: Tally) {
  const c = components(t);
  return {
    received: t.received,
    resolved: t.resolved,
    no_deadline: t.resolved - t.withDeadline,
    reopened: t.reopened,
    rated: t.rated,
    on_time: c.on_time,
    satisfied: c.satisfied,
    median_handling_hours: t.median,
    components: c,
    index: indexOf(c, 'rate'),
    index_low: indexOf(c, 'low'),
    index_high: indexOf(c, 'high'),
    enough: t.resolved >= MIN_SAMPLE,
  };
}

/** The open backlog now. */
function backlog(t: Tally, now: Date) {
  return {
    open: t.open,
    overdue: t.overdue,
    overdue_30_plus: t.overdue30,
    worst_days_late: t.oldestDue ? Math.floor((now.getTime() / 1000 - t.oldestDue) / 86_400) : null,
  };
}

/** A group's figures as the API shows them. */
function publicFigures(t: Tally, now: Date) {
  const x = figures(t);
  const share = (p: ReturnType<typeof proportion>) => ({ n: p.n, rate: round(p.rate, 4), low: round(p.low, 4), high: round(p.high, 4), enough: p.enough });
  return {
    /** Received in the window (the name the console has always used). */
    total: x.received,
    received: x.received,
    ...backlog(t, now),
    resolved: x.resolved,
    no_deadline: x.no_deadline,
    reopened: x.reopened,
    on_time_rate: round(x.on_time.rate, 4),
    on_time: share(x.on_time),
    median_handling_hours: round(x.median_handling_hours),
    rated: x.rated,
    satisfied_rate: round(x.satisfied.rate, 4),
    satisfied: share(x.satisfied),
    satisfaction_index: round(x.index),
    satisfaction_range: x.index_low === null ? null : [round(x.index_low), round(x.index_high)] as [number | null, number | null],
    enough: x.enough,
    components: Object.fromEntries(Object.entries(x.components).map(([k, p]) => [k, p.rate])) as Record<keyof typeof SATISFACTION_WEIGHTS, number | null>,
  };
}

const emptyTally = (store: StatsStore) => newTally(store.fieldCodes.length);

export async function summary(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  const store = await statsStore(db);
  const span = (Date.parse(f.to) - Date.parse(f.from)) / DAY;
  const previous = { ...f, from: addDays(f.from, -span), to: f.from };
  const current = tally(store, f, now).get(0) ?? emptyTally(store);
  const before = tally(store, previous, now).get(0) ?? emptyTally(store);
  const a = figures(current);
  const b = figures(before);
  const pub = publicFigures(current, now);
  const prior = publicFigures(before, now);
  // Changes come from the unrounded figures, then are rounded once.
  const delta = (x: number | null, y: number | null, digits: number) => (x === null || y === null ? null : round(x - y, digits));
  return {
    window: { from: f.from, to: f.to, time_zone: TZ },
    ...pub,
    by_status: Object.fromEntries(REPORT_STATUSES.map((s, i) => [s, current.byStatus[i]])) as Record<ReportStatus, number>,
    by_field: Object.fromEntries(store.fieldCodes.map((code, i) => [code, current.byField[i]]).filter(([, n]) => n)) as Record<string, number>,
    weights: SATISFACTION_WEIGHTS,
    min_sample: MIN_SAMPLE,
    previous: {
      from: previous.from, to: previous.to, total: prior.total, received: prior.received, resolved: prior.resolved, on_time_rate: prior.on_time_rate,
      median_handling_hours: prior.median_handling_hours, rated: prior.rated, satisfied_rate: prior.satisfied_rate, satisfaction_index: prior.satisfaction_index,
    },
    change: {
      total: a.received - b.received,
      resolved: a.resolved - b.resolved,
      on_time_rate: delta(a.on_time.rate, b.on_time.rate, 4),
      median_handling_hours: delta(a.median_handling_hours, b.median_handling_hours, 1),
      satisfaction_index: delta(a.index, b.index, 1),
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
  const [areas, store] = await Promise.all([selectAreasOfLevel(db, level, parentId), statsStore(db)]);
  const groups = tally(store, f, now, level);
  return areas.map((a) => ({ code: a.code, name_vi: a.name_vi, name_en: a.name_en, ...publicFigures(groups.get(a.id) ?? emptyTally(store), now) }));
}

/** Every unit, with zeros where it had nothing, busiest first. */
export async function unitStats(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  const [units, store] = await Promise.all([selectAllUnits(db), statsStore(db)]);
  const groups = tally(store, f, now, 'unit');
  return units
    .map((u) => ({ id: u.id, name_vi: u.name_vi, name_en: u.name_en, kind: u.kind, ...publicFigures(groups.get(u.id) ?? emptyTally(store), now) }))
    .sort((a, b) => b.total - a.total || b.open - a.open || a.id - b.id);
}

export type HexResolution = StoreResolution | 8 | 9;

/**
 * Hotspot cells: reports received in the window, open and overdue reports
 * now (the backlog, whenever received), and the exact median handling time of those resolved in the window. Each
 * report counts in the cell its pin is in at that resolution (stored per
 * resolution). 5–7 come from the store (whole province, the caller's view
 * keeps the cells near it); 8 and 9, asked for when zoomed in, from the
 * reports in the bbox.
 */
export async function hexStats(db: Kysely<Database>, res: HexResolution, bbox: [number, number, number, number] | undefined, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  if (res === 8 || res === 9) {
    const rows = await selectFineHexCells(db, res, bbox, f, now);
    return rows
      .filter((r) => r.count > 0 || r.open > 0 || r.median !== null)
      .map((r) => ({ h3: int8ToH3(r.cell), count: r.count, open: r.open, overdue: r.overdue, median_handling_hours: round(r.median) }));
  }
  const store = await statsStore(db);
  const cells = store.cells[STORE_RESOLUTIONS.indexOf(res)];
  const inView = bbox ? cellInView(bbox, res) : () => true;
  const groups = tally(store, f, now, res);
  const out = [];
  for (const [c, t] of groups) {
    if (!t.received && !t.open && !t.resolved) continue;
    const h3 = int8ToH3(cells[c]);
    if (!inView(h3)) continue;
    out.push({ h3, count: t.received, open: t.open, overdue: t.overdue, median_handling_hours: round(t.median) });
  }
  return out;
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

/**
 * Flows per day or ISO week (Monday): received by created_at, resolved by
 * resolved_at, whenever those reports were received; every bucket of the window present.
 */
export async function timeseries(db: Kysely<Database>, interval: 'day' | 'week', q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  const store = await statsStore(db);
  return store.remember(`timeseries|${interval}|${JSON.stringify(f)}`, () => flows(store, interval, f));
}

function flows(store: StatsStore, interval: 'day' | 'week', f: StatsFilter) {
  const bucketOf = interval === 'day' ? (d: number) => d : (d: number) => d - (weekdayOf(d) - 1);
  const first = bucketOf(dayOfDate(f.from));
  const last = bucketOf(dayOfDate(f.to) - 1);
  const step = interval === 'day' ? 1 : 7;
  const slots = (last - first) / step + 1;
  const received = new Int32Array(slots);
  const resolved = new Int32Array(slots);
  const match = store.matcher(f);
  const index = store.index();
  const from = dayOfDate(f.from);
  const to = dayOfDate(f.to);
  for (let [k, end] = dayRange(index.byCreated, from, to); k < end; k++) {
    const i = index.byCreated.slots[k];
    if (match(i)) received[(bucketOf(localDayOf(store.created[i])) - first) / step]++;
  }
  for (let [k, end] = dayRange(index.byResolved, from, to); k < end; k++) {
    const i = index.byResolved.slots[k];
    if (match(i)) resolved[(bucketOf(localDayOf(store.resolved[i])) - first) / step]++;
  }
  return Array.from({ length: slots }, (_, k) => ({ bucket: dateOfDay(first + k * step), received: received[k], resolved: resolved[k] }));
}

/** Reports received in the window by local weekday (Monday = 1) and hour: a full 7 × 24 grid. */
export async function hourWeekday(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  const store = await statsStore(db);
  return store.remember(`hour-weekday|${JSON.stringify(f)}`, () => receivedByHour(store, f));
}

function receivedByHour(store: StatsStore, f: StatsFilter) {
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  const match = store.matcher(f);
  const order = store.index().byCreated;
  for (let [k, end] = dayRange(order, dayOfDate(f.from), dayOfDate(f.to)); k < end; k++) {
    const i = order.slots[k];
    if (!match(i)) continue;
    const local = store.created[i] + 7 * 3600;
    grid[weekdayOf(Math.floor(local / 86_400)) - 1][Math.floor((local % 86_400) / 3600)]++;
  }
  return { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], grid };
}

export const AGING_BUCKETS = ['not_due', 'late_0_3', 'late_3_7', 'late_7_30', 'late_30_plus'] as const;

/** The whole open backlog now, by days past its deadline; the window does not apply. */
export async function aging(db: Kysely<Database>, q: StatsQuery, now = new Date()) {
  const f = await resolveFilter(db, q, now);
  const store = await statsStore(db);
  const counts = [0, 0, 0, 0, 0];
  const match = store.matcher(f);
  const nowS = now.getTime() / 1000;
  for (const i of store.index().open) {
    if (!match(i)) continue;
    const d = store.due[i];
    const late = (nowS - d) / 86_400;
    counts[!d || late <= 0 ? 0 : late < 3 ? 1 : late < 7 ? 2 : late < 30 ? 3 : 4]++;
  }
  return AGING_BUCKETS.map((bucket, k) => ({ bucket, count: counts[k] }));
}

/** The open reports furthest past their deadline, whenever received. */
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

export function assertResolution(res: number): asserts res is HexResolution {
  if (![5, 6, 7, 8, 9].includes(res)) throw validationFailed({ res: 'res must be 5–9' });
}

/** A month YYYY-MM as a window of local dates. */
export function monthWindow(month: string) {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

/**
 * The monthly league table of units or wards. Each row carries its sample and
 * 95% intervals; rows are ranked by the lower bound of the satisfaction
 * index's interval (the score a group can claim with confidence, so a ward
 * with three lucky resolutions does not top one with three hundred), and
 * groups below MIN_SAMPLE resolutions are listed after, unranked.
 */
export async function leagueTable(db: Kysely<Database>, by: 'unit' | 'ward', month: string, now = new Date()) {
  const window = monthWindow(month);
  const store = await statsStore(db);
  const f: StatsFilter = window;
  const names = by === 'unit'
    ? (await selectAllUnits(db)).map((u) => ({ id: u.id, code: String(u.id), name_vi: u.name_vi, name_en: u.name_en }))
    : (await selectAreasOfLevel(db, 'ward', undefined)).map((a) => ({ id: a.id, code: a.code, name_vi: a.name_vi, name_en: a.name_en }));
  const groups = tally(store, f, now, by);
  const rows = names.map((n) => {
    const t = groups.get(n.id) ?? emptyTally(store);
    const x = figures(t);
    return { ...n, figures: x, t };
  });
  const ranked = rows.filter((r) => r.figures.enough && r.figures.index_low !== null)
    .sort((a, b) => b.figures.index_low! - a.figures.index_low! || b.figures.resolved - a.figures.resolved || a.id - b.id);
  const unranked = rows.filter((r) => !ranked.includes(r)).sort((a, b) => b.figures.resolved - a.figures.resolved || a.code.localeCompare(b.code));
  const share = (p: ReturnType<typeof proportion>) => ({ n: p.n, rate: round(p.rate, 4), low: round(p.low, 4), high: round(p.high, 4), enough: p.enough });
  const present = (r: (typeof rows)[number], rank: number | null) => ({
    rank, id: r.id, code: r.code, name_vi: r.name_vi, name_en: r.name_en,
    received: r.figures.received, resolved: r.figures.resolved, no_deadline: r.figures.no_deadline, reopened: r.figures.reopened,
    on_time: share(r.figures.on_time), satisfied: share(r.figures.satisfied), not_reopened: share(r.figures.components.not_reopened),
    median_handling_hours: round(r.figures.median_handling_hours),
    index: round(r.figures.index), index_low: round(r.figures.index_low), index_high: round(r.figures.index_high),
    enough: r.figures.enough,
  });
  return {
    by, month, window: { ...window, time_zone: TZ },
    min_sample: MIN_SAMPLE, weights: SATISFACTION_WEIGHTS,
    method: {
      vi: `Xếp hạng theo cận dưới khoảng tin cậy 95% của chỉ số hài lòng (Wilson), tính trên các phản ánh được giải quyết trong tháng. Đơn vị có dưới ${MIN_SAMPLE} phản ánh được giải quyết ghi "chưa đủ dữ liệu" và không xếp hạng.`,
      en: `Ranked by the lower end of the satisfaction index's 95% interval (Wilson), over the reports resolved in the month. Groups with fewer than ${MIN_SAMPLE} resolved reports show "not enough data" and are not ranked.`,
    },
    rows: [...ranked.map((r, k) => present(r, k + 1)), ...unranked.map((r) => present(r, null))],
  };
}

const CASES_LIMIT = 200;

/** The reports behind a league row's figure, newest first, at most 200 (with how many there are in all). */
export async function leagueCases(db: Kysely<Database>, by: 'unit' | 'ward', code: string, month: string, measure: LeagueMeasure) {
  let id: number;
  if (by === 'ward') {
    const area = await findAreaByCode(db, code);
    if (!area || area.level !== 'ward') throw new DomainError('not_found', `No ward ${code}`);
    id = area.id;
  } else {
    id = Number(code);
  }
  const rows = await selectLeagueCases(db, { by, id, window: monthWindow(month), measure, hidden: HIDDEN_STATUSES, limit: CASES_LIMIT });
  return {
    by, code, month, measure, total: rows[0]?.total ?? 0,
    cases: rows.map((r) => ({
      code: r.code, title: r.title, field: r.field_code, status: r.status, created_at: r.created_at.toISOString(),
      due_at: r.due_at?.toISOString() ?? null, resolved_at: r.resolved_at?.toISOString() ?? null,
    })),
  };
}

/** The last whole month in Asia/Ho_Chi_Minh before `now`, YYYY-MM: the league table's default. */
export function lastCompleteMonth(now: Date): string {
  const [y, m] = localDate(now).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
