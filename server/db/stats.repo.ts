import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { LeagueMeasure } from '../domain/league.js';
import type { Database, ReportStatus } from './database.js';
import { inBboxSql } from './bbox-sql.js';
import { OPEN_SQL, slaSql } from './status-sql.js';

/**
 * The SQL side of the console's figures. Most figures are computed in memory
 * by services/stats-store.ts from the rows these functions load; what stays
 * in SQL reads few rows through an index: the points and fine hexagons of a
 * viewport, and the worst overdue list (it needs titles). Definitions are in
 * services/stats.ts and the README.
 */
export const TZ = 'Asia/Ho_Chi_Minh';

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

/** The filter's area, field, status and unit conditions over `reports as r`, and never a held report. */
function dimensionSql(f: StatsFilter): Expression<SqlBool> {
  const parts: RawBuilder<unknown>[] = [sql`not r.needs_review`];
  if (f.wardId !== undefined) parts.push(sql`r.ward_id = ${f.wardId}`);
  if (f.districtId !== undefined) parts.push(sql`r.district_id = ${f.districtId}`);
  if (f.fields?.length) parts.push(sql`r.field_code in (${sql.join(f.fields)})`);
  if (f.statuses?.length) parts.push(sql`r.status in (${sql.join(f.statuses)})`);
  if (f.unitIds?.length) parts.push(sql`coalesce(r.unit_id, 0) in (${sql.join(f.unitIds)})`);
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

const createdInWindow = (f: StatsFilter) => sql<SqlBool>`r.created_at >= ${localMidnight(f.from)} and r.created_at < ${localMidnight(f.to)}`;
const resolvedInWindow = (f: StatsFilter) => sql<SqlBool>`r.resolved_at >= ${localMidnight(f.from)} and r.resolved_at < ${localMidnight(f.to)}`;
const overdueNow = (now: Date) => sql<SqlBool>`r.status in ${OPEN_SQL} and r.due_at < ${now}`;

/** One report as the statistics store holds it: times in epoch seconds. */
export interface StoreRow {
  id: number;
  created: number;
  resolved: number | null;
  due: number | null;
  /** When it was reopened (at most once), from its timeline. */
  reopened: number | null;
  ward_id: number;
  district_id: number;
  field_code: string;
  unit_id: number | null;
  status: ReportStatus;
  needs_review: boolean;
  rating_satisfied: boolean | null;
  h3_r5: string;
  h3_r6: string;
  h3_r7: string;
}

const storeColumns = sql`r.id::float8 as id,
  extract(epoch from r.created_at)::float8 as created,
  extract(epoch from r.resolved_at)::float8 as resolved,
  extract(epoch from r.due_at)::float8 as due,
  case when r.reopen_count > 0 then (
    select extract(epoch from max(e.created_at))::float8 from report_events e where e.report_id = r.id and e.to_status = 'reopened')
  end as reopened,
  r.ward_id, r.district_id, r.field_code, r.unit_id, r.status, r.needs_review, r.rating_satisfied,
  r.h3_r5::text as h3_r5, r.h3_r6::text as h3_r6, r.h3_r7::text as h3_r7`;

/** The oldest transaction still running: every change from here on has a stats_xid at or above it (sql/0013). */
export async function selectSnapshotXmin(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(db);
  return rows[0].xmin;
}

/** Where a chunk of the first load ended: its last report's created_at (as text, exact) and id. */
export interface StoreCursor {
  created: string;
  id: number;
}

/**
 * Reports in order of creation after `after`, for the store's first load in
 * chunks: the store keeps them in this order, so a window's reports sit
 * together in memory (reports_created_idx).
 */
export async function selectStoreRows(db: Kysely<Database>, after: StoreCursor | null, limit: number): Promise<{ rows: StoreRow[]; next: StoreCursor | null }> {
  const { rows } = await sql<StoreRow & { created_key: string }>`
    select ${storeColumns}, r.created_at::text as created_key from reports r
    ${after ? sql`where (r.created_at, r.id) > (${after.created}::timestamptz, ${after.id})` : sql``}
    order by r.created_at, r.id limit ${limit}`.execute(db);
  const last = rows[rows.length - 1];
  return { rows, next: last ? { created: last.created_key, id: last.id } : null };
}

/**
 * Reports written, and ids of reports deleted, by transactions at or after
 * `xmin`, with the snapshot's own xmin to look from next time.
 */
export async function selectChangedStoreRows(db: Kysely<Database>, xmin: string): Promise<{ rows: StoreRow[]; deleted: number[]; xmin: string }> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    // One snapshot for the three reads (repeatable read): its xmin is where the next look starts.
    const { rows } = await sql<StoreRow>`select ${storeColumns} from reports r where r.stats_xid >= ${xmin}::xid8`.execute(trx);
    const { rows: gone } = await sql<{ id: number }>`
      select d.report_id::float8 as id from reports_deleted d where d.stats_xid >= ${xmin}::xid8`.execute(trx);
    return { rows, deleted: gone.map((d) => d.id), xmin: await selectSnapshotXmin(trx) };
  });
}

export async function selectAllUnits(db: Kysely<Database>) {
  return db.selectFrom('units').select(['id', 'name_vi', 'name_en', 'kind']).orderBy('id').execute();
}

export async function selectAreasOfLevel(db: Kysely<Database>, level: 'district' | 'ward', parentId: number | undefined) {
  return db.selectFrom('admin_areas').select(['id', 'code', 'name_vi', 'name_en'])
    .where('level', '=', level).$if(parentId !== undefined, (qb) => qb.where('parent_id', '=', parentId!))
    .orderBy('code').execute();
}

/** The created-in-window WHERE clause for the viewport reads (points). */
export function filterSql(f: StatsFilter): Expression<SqlBool> {
  return sql<SqlBool>`${createdInWindow(f)} and ${dimensionSql(f)}`;
}

export const FINE_HEX_COLUMNS = { 8: 'h3_r8', 9: 'h3_r9' } as const;

/**
 * Hexagons at resolution 8 or 9 in a viewport, straight from the reports (a
 * zoomed-in view holds few): reports received in the window, open and
 * overdue reports now, and the exact median handling time of those resolved in the window.
 */
export async function selectFineHexCells(db: Kysely<Database>, res: keyof typeof FINE_HEX_COLUMNS, bbox: [number, number, number, number] | undefined, f: StatsFilter, now: Date) {
  const cell = sql.ref(`r.${FINE_HEX_COLUMNS[res]}`);
  const hours = sql`extract(epoch from (r.resolved_at - r.created_at))::float8 / 3600.0`;
  const { rows } = await sql<{ cell: string; count: number; open: number; overdue: number; median: number | null }>`
    select ${cell}::text as cell,
      count(*) filter (where ${createdInWindow(f)})::int as count,
      count(*) filter (where r.status in ${OPEN_SQL})::int as open,
      count(*) filter (where ${overdueNow(now)})::int as overdue,
      percentile_cont(0.5) within group (order by ${hours}) filter (where ${resolvedInWindow(f)}) as median
    from reports r
    where ${bbox ? sql`${inBboxSql(bbox)} and ` : sql``}${dimensionSql(f)}
      and (${createdInWindow(f)} or ${resolvedInWindow(f)} or r.status in ${OPEN_SQL})
    group by 1`.execute(db);
  return rows;
}

/** The open reports furthest past their deadline, whenever they were received. */
export async function selectWorstOverdue(db: Kysely<Database>, f: StatsFilter, now: Date, limit: number) {
  const { rows } = await sql<{ code: string; title: string; status: ReportStatus; due_at: Date; created_at: Date; unit_name_vi: string | null; unit_name_en: string | null; ward_name_vi: string; field_code: string; lat: number; lon: number }>`
    select r.code, r.title, r.status, r.due_at, r.created_at, u.name_vi as unit_name_vi, u.name_en as unit_name_en,
           w.name_vi as ward_name_vi, r.field_code, ST_Y(r.geom) as lat, ST_X(r.geom) as lon
    from reports r join admin_areas w on w.id = r.ward_id left join units u on u.id = r.unit_id
    where ${dimensionSql(f)} and ${overdueNow(now)}
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

/**
 * The reports behind one league figure: a unit's or ward's reports received,
 * resolved (on time, late, without a deadline) or reopened in the window.
 * Public columns only; reports hidden from the public (rejected, merged,
 * withdrawn) and held ones are not listed.
 */
export async function selectLeagueCases(db: Kysely<Database>, opts: {
  by: 'unit' | 'ward'; id: number; window: { from: string; to: string }; measure: LeagueMeasure; hidden: readonly ReportStatus[]; limit: number;
}) {
  const f: StatsFilter = { ...opts.window };
  const group = opts.by === 'unit' ? sql`coalesce(r.unit_id, 0) = ${opts.id}` : sql`r.ward_id = ${opts.id}`;
  const measure = {
    received: createdInWindow(f),
    resolved: resolvedInWindow(f),
    on_time: sql`${resolvedInWindow(f)} and r.due_at > r.created_at and r.resolved_at <= r.due_at`,
    late: sql`${resolvedInWindow(f)} and r.due_at > r.created_at and r.resolved_at > r.due_at`,
    no_deadline: sql`${resolvedInWindow(f)} and (r.due_at is null or r.due_at <= r.created_at)`,
    reopened: sql`exists (select 1 from report_events e where e.report_id = r.id and e.to_status = 'reopened'
      and e.created_at >= ${localMidnight(f.from)} and e.created_at < ${localMidnight(f.to)})`,
  }[opts.measure];
  const { rows } = await sql<{ code: string; title: string; field_code: string; status: ReportStatus; created_at: Date; due_at: Date | null; resolved_at: Date | null; total: number }>`
    select r.code, r.title, r.field_code, r.status, r.created_at, r.due_at, r.resolved_at, count(*) over ()::int as total
    from reports r
    where ${group} and not r.needs_review and r.status not in (${sql.join([...opts.hidden])}) and ${measure}
    order by coalesce(r.resolved_at, r.created_at) desc, r.id desc
    limit ${opts.limit}`.execute(db);
  return rows;
}
