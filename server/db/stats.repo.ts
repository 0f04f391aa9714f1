import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { REPORT_STATUSES, type Database, type ReportStatus } from './database.js';

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
 */
export const TZ = 'Asia/Ho_Chi_Minh';
export const OPEN_SQL = sql.raw(`('received','verified','assigned','in_progress','reopened')`);
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

/** The WHERE clause every statistic shares. */
export function filterSql(f: StatsFilter): Expression<SqlBool> {
  const parts: RawBuilder<unknown>[] = [sql`r.created_at >= ${localMidnight(f.from)}`, sql`r.created_at < ${localMidnight(f.to)}`];
  if (f.wardId !== undefined) parts.push(sql`r.ward_id = ${f.wardId}`);
  if (f.districtId !== undefined) parts.push(sql`r.district_id = ${f.districtId}`);
  if (f.fields?.length) parts.push(sql`r.field_code in (${sql.join(f.fields)})`);
  if (f.statuses?.length) parts.push(sql`r.status in (${sql.join(f.statuses)})`);
  if (f.unitIds?.length) parts.push(sql`r.unit_id in (${sql.join(f.unitIds)})`);
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

const handlingHours = sql`extract(epoch from (r.resolved_at - r.created_at)) / 3600.0`;
// 1 when instant, 0.5 exactly at the deadline, 0 at twice the deadline or later.
const speedScore = sql`greatest(0, least(1, 1 - extract(epoch from (r.resolved_at - r.created_at)) / nullif(2 * extract(epoch from (r.due_at - r.created_at)), 0)))`;

/** The aggregate columns shared by summary, areas and units. */
export function metricColumns(now: Date) {
  return sql`
    count(*)::int as total,
    count(*) filter (where r.status in ${OPEN_SQL})::int as open,
    count(*) filter (where r.status in ${OPEN_SQL} and r.due_at < ${now})::int as overdue,
    count(*) filter (where r.resolved_at is not null)::int as resolved,
    count(*) filter (where r.resolved_at is not null and r.resolved_at <= r.due_at)::int as on_time,
    percentile_cont(0.5) within group (order by ${handlingHours}) filter (where r.resolved_at is not null) as median_handling_hours,
    avg(${speedScore}) filter (where r.resolved_at is not null and r.due_at is not null) as speed,
    count(*) filter (where r.resolved_at is not null and r.reopen_count = 0)::int as never_reopened,
    count(r.rating_satisfied)::int as rated,
    count(*) filter (where r.rating_satisfied)::int as satisfied`;
}

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

/** The window's metrics and its count per status, in one scan. */
export async function selectMetrics(db: Kysely<Database>, f: StatsFilter, now: Date): Promise<MetricRow & { by_status: Record<ReportStatus, number> }> {
  const perStatus = sql.join(REPORT_STATUSES.map((s) => sql`count(*) filter (where r.status = ${s})::int`), sql`, `);
  const { rows } = await sql<MetricRow & { statuses: number[] }>`
    select ${metricColumns(now)}, array[${perStatus}] as statuses from reports r where ${filterSql(f)}`.execute(db);
  const { statuses, ...metrics } = rows[0];
  const by_status = Object.fromEntries(REPORT_STATUSES.map((s, i) => [s, statuses[i]])) as Record<ReportStatus, number>;
  return { ...metrics, by_status };
}

/** Metrics per area of one level (optionally within a parent), every area listed even when empty. */
export async function selectAreaMetrics(db: Kysely<Database>, level: 'district' | 'ward', parentId: number | undefined, f: StatsFilter, now: Date) {
  const key = level === 'ward' ? sql.ref('r.ward_id') : sql.ref('r.district_id');
  const { rows } = await sql<MetricRow & { id: number; code: string; name_vi: string; name_en: string }>`
    with m as (
      select ${key} as area_id, ${metricColumns(now)}
      from reports r
      where ${filterSql(f)}
      group by 1
    )
    select a.id, a.code, a.name_vi, a.name_en, coalesce(m.total, 0) as total, coalesce(m.open, 0) as open,
      coalesce(m.overdue, 0) as overdue, coalesce(m.resolved, 0) as resolved, coalesce(m.on_time, 0) as on_time,
      m.median_handling_hours, m.speed, coalesce(m.never_reopened, 0) as never_reopened, coalesce(m.rated, 0) as rated,
      coalesce(m.satisfied, 0) as satisfied
    from admin_areas a left join m on m.area_id = a.id
    where a.level = ${level} ${parentId !== undefined ? sql`and a.parent_id = ${parentId}` : sql``}
    order by a.code`.execute(db);
  return rows;
}

export async function selectUnitMetrics(db: Kysely<Database>, f: StatsFilter, now: Date) {
  const { rows } = await sql<MetricRow & { id: number; name_vi: string; name_en: string; kind: string }>`
    with m as (
      select r.unit_id, ${metricColumns(now)} from reports r
      where ${filterSql(f)} and r.unit_id is not null group by 1
    )
    select u.id, u.name_vi, u.name_en, u.kind, m.* from m join units u on u.id = m.unit_id order by m.total desc`.execute(db);
  return rows;
}

export const HEX_COLUMNS = { 5: 'h3_r5', 6: 'h3_r6', 7: 'h3_r7', 8: 'h3_r8', 9: 'h3_r9' } as const;

/** Hotspots from the precomputed cell columns; one resolution per call. */
export async function selectHexes(db: Kysely<Database>, res: keyof typeof HEX_COLUMNS, bbox: [number, number, number, number] | undefined, f: StatsFilter, now: Date) {
  const cell = sql.ref(`r.${HEX_COLUMNS[res]}`);
  const { rows } = await sql<{ cell: string; count: number; overdue: number; median_handling_hours: number | null }>`
    select ${cell}::text as cell, count(*)::int as count,
      count(*) filter (where r.status in ${OPEN_SQL} and r.due_at < ${now})::int as overdue,
      percentile_cont(0.5) within group (order by ${handlingHours}) filter (where r.resolved_at is not null) as median_handling_hours
    from reports r
    where ${filterSql(f)} ${bbox ? sql`and r.geom && ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326)` : sql``}
    group by 1`.execute(db);
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
      case when r.status not in ${OPEN_SQL} or r.due_at is null then 0
           when ${now}::timestamptz > r.due_at and ${now}::timestamptz - r.created_at > 3 * (r.due_at - r.created_at) then 4
           when ${now}::timestamptz > r.due_at then 3
           when r.due_at - ${now}::timestamptz < 0.2 * (r.due_at - r.created_at) then 2
           else 1 end as sla
    from reports r
    where ${filterSql(f)} and r.geom && ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326)
    limit ${cap + 1}`.execute(db);
  return rows;
}
