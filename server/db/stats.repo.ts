import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { isOpen } from '../domain/statuses.js';
import { REPORT_STATUSES, type Database, type ReportStatus } from './database.js';
import { inBboxSql } from './bbox-sql.js';
import { OPEN_SQL, slaSql } from './status-sql.js';

/**
 * Every console figure comes from this module, with one definition each
 * (also written in the README):
 * - window: created_at in [from, to), dates read in Asia/Ho_Chi_Minh;
 * - open: received, verified, assigned, in_progress or reopened;
 * - overdue: open and now > due_at;
 * - on-time %: among resolved reports (resolved_at set) in the window, the share with resolved_at <= due_at;
 * - median handling time: median of resolved_at − created_at in hours over those resolved reports;
 * - satisfaction index 0–100: weighted mean of on-time %, satisfied share of rated reports,
 *   speed (1 when instant, ½ exactly at the deadline, 0 at twice the deadline or later, averaged),
 *   and the share never reopened; weights in SATISFACTION_WEIGHTS, renormalised over the components present.
 * Reports held for review (needs_review) count in no figure until a dispatcher
 * releases them: filterSql leaves them out, and so do the rollups (sql/0009).
 */
export const TZ = 'Asia/Ho_Chi_Minh';
export const SATISFACTION_WEIGHTS = { on_time: 0.35, satisfied: 0.3, speed: 0.2, never_reopened: 0.15 } as const;

export interface StatsFilter {
  /** Local dates YYYY-MM-DD; `to` is exclusive. */
  from: string;
  to: string;
  wardId?: number;
  districtId?: number;
  fields?: string[];
  statuses?: ReportStatus[];
  unitIds?: number[];
}

const localMidnight = (date: string) => sql`(${date}::date::timestamp at time zone ${TZ})`;

/** The filter's area, field, status and unit conditions, over the reports (alias r) or a rollup table (alias s). */
function dimensionFilters(f: StatsFilter, alias: 'r' | 's'): RawBuilder<unknown>[] {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const parts: RawBuilder<unknown>[] = [];
  if (f.wardId !== undefined) parts.push(sql`${col('ward_id')} = ${f.wardId}`);
  if (f.districtId !== undefined) parts.push(sql`${col('district_id')} = ${f.districtId}`);
  if (f.fields?.length) parts.push(sql`${col('field_code')} in (${sql.join(f.fields)})`);
  if (f.statuses?.length) parts.push(sql`${col('status')} in (${sql.join(f.statuses)})`);
  if (f.unitIds?.length) parts.push(sql`${col('unit_id')} in (${sql.join(f.unitIds)})`);
  return parts;
}

/** The WHERE clause every statistic shares; held reports are never counted. */
export function filterSql(f: StatsFilter): Expression<SqlBool> {
  const parts = [sql`r.created_at >= ${localMidnight(f.from)}`, sql`r.created_at < ${localMidnight(f.to)}`, sql`not r.needs_review`, ...dimensionFilters(f, 'r')];
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

const handlingHours = sql`extract(epoch from (r.resolved_at - r.created_at))::float8 / 3600.0`;

/** The same filter over the rollup tables (stats_daily, stats_hex_daily as s), whose days are local dates and which hold no held report. */
export function rollupFilterSql(f: StatsFilter): Expression<SqlBool> {
  const parts = [sql`s.day >= ${f.from}::date`, sql`s.day < ${f.to}::date`, ...dimensionFilters(f, 's')];
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** Upper edges (hours) of the handling-time buckets 0–30 of stats_handling_bucket() (sql/0008); bucket 31 is open-ended. */
export const HANDLING_BUCKET_EDGES = [0.5, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 30, 36, 42, 48, 54, 60, 66, 72, 84, 96, 108, 120, 144, 168, 192, 240, 288, 360, 480, 720];
const BUCKETS = HANDLING_BUCKET_EDGES.length + 1;

export interface MetricRow {
  total: number;
  open: number;
  overdue: number;
  resolved: number;
  on_time: number;
  median_handling_hours: number | null;
  speed: number | null;
  never_reopened: number;
  rated: number;
  satisfied: number;
}

export type GroupMetrics = MetricRow & { by_status: Record<ReportStatus, number>; by_field: Record<string, number> };

/** What metrics are grouped by: nothing (one row, key 0), an area level, or the responsible unit (0 = not routed). */
export type MetricGroup = 'all' | 'district' | 'ward' | 'unit';
const GROUP_COLUMN = { district: 'district_id', ward: 'ward_id', unit: 'unit_id' } as const;


/** A group with no reports: every count zero, no median, no speed. */
const EMPTY_METRICS: MetricRow = {
  total: 0, open: 0, overdue: 0, resolved: 0, on_time: 0, median_handling_hours: null, speed: null, never_reopened: 0, rated: 0, satisfied: 0,
};
const emptyByStatus = () => Object.fromEntries(REPORT_STATUSES.map((st) => [st, 0])) as Record<ReportStatus, number>;

/**
 * Every metric of the window per group. Additive measures come from the
 * stats_daily rollup; overdue (it depends on now) from the open reports;
 * the median exactly, by finding its handling bucket in the rollup and then
 * reading only that bucket's reports. All in one snapshot, so the rollup's
 * counts and the reports agree.
 */
export async function selectMetricGroups(db: Kysely<Database>, f: StatsFilter, now: Date, group: MetricGroup): Promise<Map<number, GroupMetrics>> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const rollupKey = group === 'all' ? sql`0` : sql.ref(`s.${GROUP_COLUMN[group]}`);
    // The province or area total also breaks down by field (one chart); per-area rows do not need it.
    const field = group === 'all' ? sql.ref('s.field_code') : sql`''`;
    const { rows } = await sql<{ g: number; field: string; status: ReportStatus; bucket: number; n: number; on_time: number; never_reopened: number; speed_sum: number; speed_n: number; rated: number; satisfied: number }>`
      select ${rollupKey} as g, ${field} as field, s.status, s.bucket, sum(s.n)::int as n, sum(s.on_time)::int as on_time,
        sum(s.never_reopened)::int as never_reopened, sum(s.speed_sum)::float8 as speed_sum, sum(s.speed_n)::int as speed_n,
        sum(s.rated)::int as rated, sum(s.satisfied)::int as satisfied
      from stats_daily s where ${rollupFilterSql(f)}
      group by 1, 2, 3, 4`.execute(trx);
    const overdue = await sql<{ g: number; n: number }>`
      select ${reportGroupKey(group)} as g, count(*)::int as n from reports r
      where ${filterSql(f)} and r.status in ${OPEN_SQL} and r.due_at < ${now} group by 1`.execute(trx);

    const groups = new Map<number, GroupMetrics & { speed_sum: number; speed_n: number; histogram: number[] }>();
    for (const row of rows) {
      let m = groups.get(row.g);
      if (!m) {
        m = { ...EMPTY_METRICS, speed_sum: 0, speed_n: 0, histogram: Array<number>(BUCKETS).fill(0), by_status: emptyByStatus(), by_field: {} };
        groups.set(row.g, m);
      }
      m.total += row.n;
      if (row.field) m.by_field[row.field] = (m.by_field[row.field] ?? 0) + row.n;
      m.by_status[row.status] += row.n;
      if (isOpen(row.status)) m.open += row.n;
      if (row.bucket >= 0) {
        m.resolved += row.n;
        m.histogram[row.bucket] += row.n;
      }
      m.on_time += row.on_time;
      m.never_reopened += row.never_reopened;
      m.speed_sum += row.speed_sum;
      m.speed_n += row.speed_n;
      m.rated += row.rated;
      m.satisfied += row.satisfied;
    }
    for (const o of overdue.rows) {
      const m = groups.get(o.g);
      if (m) m.overdue = o.n;
    }
    const medians = await selectExactMedians(trx, f, group, new Map([...groups].map(([g, m]) => [g, m.histogram])));
    const result = new Map<number, GroupMetrics>();
    for (const [g, { speed_sum, speed_n, histogram, ...m }] of groups) {
      if (m.total === 0) continue;
      result.set(g, { ...m, speed: speed_n > 0 ? speed_sum / speed_n : null, median_handling_hours: medians.get(g) ?? null });
    }
    return result;
  });
}

function reportGroupKey(group: MetricGroup) {
  if (group === 'all') return sql`0`;
  if (group === 'unit') return sql`coalesce(r.unit_id, 0)`;
  return sql.ref(`r.${GROUP_COLUMN[group]}`);
}

/** Where the k-th smallest value (0-based) of a histogram lies: its bucket and its rank inside it. */
function locate(histogram: number[], k: number) {
  let below = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    if (k < below + histogram[bucket]) return { bucket, offset: k - below };
    below += histogram[bucket];
  }
  throw new Error(`rank ${k} is outside the histogram`);
}

/**
 * percentile_cont(0.5) of the handling hours per group: the mean of the values
 * ranked ⌊(N−1)/2⌋ and ⌈(N−1)/2⌉. Their buckets come from the rollup; only
 * the reports of those few buckets are read (reports_handling_idx), once for
 * all groups, and ranked within their group and bucket.
 */
async function selectExactMedians(trx: Kysely<Database>, f: StatsFilter, group: MetricGroup, histograms: Map<number, number[]>) {
  const wanted: RawBuilder<unknown>[] = [];
  const buckets = new Set<number>();
  for (const [g, histogram] of histograms) {
    const n = histogram.reduce((a, b) => a + b, 0);
    if (n === 0) continue;
    const low = locate(histogram, Math.floor((n - 1) / 2));
    const high = locate(histogram, Math.ceil((n - 1) / 2));
    buckets.add(low.bucket).add(high.bucket);
    if (low.bucket === high.bucket) {
      wanted.push(sql`(${g}::int, ${low.bucket}::int, ${low.offset}::int, ${high.offset - low.offset + 1}::int)`);
    } else {
      wanted.push(sql`(${g}::int, ${low.bucket}::int, ${low.offset}::int, 1)`, sql`(${g}::int, ${high.bucket}::int, ${high.offset}::int, 1)`);
    }
  }
  const medians = new Map<number, number>();
  if (!wanted.length) return medians;
  const { rows } = await sql<{ g: number; h: number }>`
    with candidates as materialized (
      select ${reportGroupKey(group)} as g, stats_handling_bucket(r.resolved_at, r.created_at)::int as bucket, ${handlingHours} as h
      from reports r
      where r.resolved_at is not null and stats_handling_bucket(r.resolved_at, r.created_at) in (${sql.join([...buckets])})
        and ${filterSql(f)}
    ), ranked as (
      select c.g, c.h, w.k, w.take, row_number() over (partition by c.g, c.bucket order by c.h) - 1 as rank
      from candidates c join (values ${sql.join(wanted)}) as w(g, bucket, k, take) on w.g = c.g and w.bucket = c.bucket
    )
    select g, h from ranked where rank >= k and rank < k + take`.execute(trx);
  const values = new Map<number, number[]>();
  for (const r of rows) values.set(r.g, [...(values.get(r.g) ?? []), r.h]);
  for (const [g, v] of values) medians.set(g, v.reduce((a, b) => a + b, 0) / v.length);
  return medians;
}

/** The window's metrics and its count per status. */
export async function selectMetrics(db: Kysely<Database>, f: StatsFilter, now: Date): Promise<GroupMetrics> {
  const groups = await selectMetricGroups(db, f, now, 'all');
  return groups.get(0) ?? { ...EMPTY_METRICS, by_status: emptyByStatus(), by_field: {} };
}

/** Metrics per area of one level (optionally within a parent), every area listed even when empty. */
export async function selectAreaMetrics(db: Kysely<Database>, level: 'district' | 'ward', parentId: number | undefined, f: StatsFilter, now: Date) {
  const metrics = await selectMetricGroups(db, f, now, level);
  const areas = await db.selectFrom('admin_areas').select(['id', 'code', 'name_vi', 'name_en'])
    .where('level', '=', level).$if(parentId !== undefined, (qb) => qb.where('parent_id', '=', parentId!))
    .orderBy('code').execute();
  return areas.map((a) => ({ ...a, ...EMPTY_METRICS, ...metrics.get(a.id) }));
}

export async function selectUnitMetrics(db: Kysely<Database>, f: StatsFilter, now: Date) {
  const metrics = await selectMetricGroups(db, f, now, 'unit');
  metrics.delete(0);
  if (!metrics.size) return [];
  const units = await db.selectFrom('units').select(['id', 'name_vi', 'name_en', 'kind']).where('id', 'in', [...metrics.keys()]).execute();
  return units.map((u) => ({ ...u, ...metrics.get(u.id)! })).sort((a, b) => b.total - a.total || a.id - b.id);
}

export const HEX_COLUMNS = { 5: 'h3_r5', 6: 'h3_r6', 7: 'h3_r7', 8: 'h3_r8', 9: 'h3_r9' } as const;

/** One hotspot cell: its count, open-and-overdue count, and where its median handling time falls. */
export interface HexCellRow {
  cell: string;
  count: number;
  overdue: number;
  /** The handling bucket holding the median of the resolved reports, how many resolved lie below it, in it, and in all; null with none resolved. */
  median_bucket: number | null;
  below: number | null;
  in_bucket: number | null;
  resolved: number | null;
}

/**
 * Hotspot cells, one row each. Resolutions 5–7 come from the
 * stats_hex_daily rollup (whole province; the caller keeps the cells in
 * view); 8 and 9, asked for when zoomed in, from the reports in the bbox.
 * The database also finds each cell's median bucket (a running sum over the
 * handling buckets), so a province of cells arrives as one row per cell
 * instead of one per cell and bucket: the reply is parsed on the API's only
 * thread.
 */
export async function selectHexCells(db: Kysely<Database>, res: keyof typeof HEX_COLUMNS, bbox: [number, number, number, number] | undefined, f: StatsFilter, now: Date) {
  const reportCell = sql.ref(`r.${HEX_COLUMNS[res]}`);
  const inBox = bbox ? sql`and ${inBboxSql(bbox)}` : sql``;
  // bucket -1: not resolved.
  const counts = res <= 7
    ? sql`select ${sql.ref(`s.${HEX_COLUMNS[res]}`)} as cell, s.bucket, sum(s.n)::int as n
          from stats_hex_daily s where ${rollupFilterSql(f)} group by 1, 2`
    : sql`select ${reportCell} as cell, coalesce(stats_handling_bucket(r.resolved_at, r.created_at), -1) as bucket, count(*)::int as n
          from reports r where ${filterSql(f)} ${inBox} group by 1, 2`;
  // One pass over the cell's buckets in order (-1, not resolved, first):
  // `below` is how many resolved reports lie in lower buckets. The row kept
  // per cell is the bucket holding rank (resolved - 1) / 2, the one
  // interpolateMedian works in, written doubled to stay in integers; a cell
  // with nothing resolved keeps its bucket -1 row.
  const { rows } = await sql<HexCellRow>`
    with counts as (${counts}),
    running as (
      select cell, bucket, n,
             sum(n) over whole as count,
             coalesce(sum(n) filter (where bucket >= 0) over whole, 0) as resolved,
             coalesce(sum(n) filter (where bucket >= 0) over upto, 0) - case when bucket >= 0 then n else 0 end as below
      from counts
      window whole as (partition by cell), upto as (partition by cell order by bucket)),
    overdue as (
      select ${reportCell} as cell, count(*)::int as n from reports r
      where ${filterSql(f)} and r.status in ${OPEN_SQL} and r.due_at < ${now} ${res >= 8 ? inBox : sql``} group by 1)
    select x.cell::text as cell, x.count::int as count, coalesce(o.n, 0) as overdue,
           case when x.resolved > 0 then x.bucket::int end as median_bucket,
           case when x.resolved > 0 then x.below::int end as below,
           case when x.resolved > 0 then x.n end as in_bucket,
           case when x.resolved > 0 then x.resolved::int end as resolved
    from running x
    left join overdue o on o.cell = x.cell
    where x.count > 0
      and (case when x.resolved = 0 then x.bucket = -1
                else x.bucket >= 0 and 2 * x.below <= x.resolved - 1 and x.resolved - 1 < 2 * (x.below + x.n) end)`.execute(db);
  return rows;
}

export async function selectTimeseries(db: Kysely<Database>, interval: 'day' | 'week', f: StatsFilter) {
  const unit = sql.lit(interval);
  const { rows } = await sql<{ bucket: string; received: number; resolved: number }>`
    with received as (
      select date_trunc(${unit}, r.created_at at time zone ${TZ})::date as bucket, count(*)::int as n
      from reports r where ${filterSql(f)} group by 1
    ), resolved as (
      select date_trunc(${unit}, r.resolved_at at time zone ${TZ})::date as bucket, count(*)::int as n
      from reports r where ${filterSql(f)} and r.resolved_at is not null
        and r.resolved_at < ${localMidnight(f.to)} group by 1
    )
    select coalesce(a.bucket, b.bucket)::text as bucket, coalesce(a.n, 0) as received, coalesce(b.n, 0) as resolved
    from received a full join resolved b on a.bucket = b.bucket order by 1`.execute(db);
  return rows;
}

export async function selectHourWeekday(db: Kysely<Database>, f: StatsFilter) {
  const { rows } = await sql<{ weekday: number; hour: number; n: number }>`
    select extract(isodow from r.created_at at time zone ${TZ})::int as weekday,
           extract(hour from r.created_at at time zone ${TZ})::int as hour, count(*)::int as n
    from reports r where ${filterSql(f)} group by 1, 2`.execute(db);
  return rows;
}

/** Open reports by how late they are, in days past the deadline. */
export async function selectAging(db: Kysely<Database>, f: StatsFilter, now: Date) {
  const { rows } = await sql<{ bucket: string; n: number }>`
    select case
        when r.due_at is null or r.due_at >= ${now} then 'not_due'
        when ${now}::timestamptz - r.due_at < interval '3 days' then 'late_0_3'
        when ${now}::timestamptz - r.due_at < interval '7 days' then 'late_3_7'
        when ${now}::timestamptz - r.due_at < interval '30 days' then 'late_7_30'
        else 'late_30_plus' end as bucket,
      count(*)::int as n
    from reports r where ${filterSql(f)} and r.status in ${OPEN_SQL} group by 1`.execute(db);
  return rows;
}

export async function selectWorstOverdue(db: Kysely<Database>, f: StatsFilter, now: Date, limit: number) {
  const { rows } = await sql<{ code: string; title: string; status: ReportStatus; due_at: Date; created_at: Date; unit_name_vi: string | null; unit_name_en: string | null; ward_name_vi: string; field_code: string; lat: number; lon: number }>`
    select r.code, r.title, r.status, r.due_at, r.created_at, u.name_vi as unit_name_vi, u.name_en as unit_name_en,
           w.name_vi as ward_name_vi, r.field_code, ST_Y(r.geom) as lat, ST_X(r.geom) as lon
    from reports r join admin_areas w on w.id = r.ward_id left join units u on u.id = r.unit_id
    where ${filterSql(f)} and r.status in ${OPEN_SQL} and r.due_at < ${now}
    order by r.due_at asc, r.id limit ${limit}`.execute(db);
  return rows;
}

/** Points for the console map: compact columns, capped; the caller switches to hexes above the cap. */
export async function selectPoints(db: Kysely<Database>, bbox: [number, number, number, number], f: StatsFilter, now: Date, cap: number) {
  const { rows } = await sql<{ code: string; lon: number; lat: number; status: ReportStatus; sla: number }>`
    select r.code, ST_X(r.geom) as lon, ST_Y(r.geom) as lat, r.status,
      case ${slaSql(now)} when 'late_3x' then 4 when 'overdue' then 3 when 'due_soon' then 2 when 'on_track' then 1 else 0 end as sla
    from reports r
    where ${filterSql(f)} and ${inBboxSql(bbox)}
    limit ${cap + 1}`.execute(db);
  return rows;
}
