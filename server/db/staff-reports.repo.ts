import { sql, type Expression, type SqlBool, type Transaction } from 'kysely';
import { DUE_SOON_SHARE, LATE_FACTOR, OPEN_STATUSES } from '../domain/statuses.js';
import type { Database, Db, ReportStatus, SlaState } from './database.js';
import { OPEN_SQL, slaSql } from './status-sql.js';

/** Each SLA state as an index-friendly predicate rather than a computed column (the same rule as slaSql). */
function slaPredicate(state: SlaState, now: Date): Expression<SqlBool> {
  const open = sql`r.status in ${OPEN_SQL}`;
  const late = sql.lit(LATE_FACTOR);
  const soon = sql.lit(DUE_SOON_SHARE);
  switch (state) {
    case 'overdue':
      return sql<SqlBool>`${open} and r.due_at < ${now} and ${now}::timestamptz - r.created_at <= ${late} * (r.due_at - r.created_at)`;
    case 'late_3x':
      return sql<SqlBool>`${open} and r.due_at < ${now} and ${now}::timestamptz - r.created_at > ${late} * (r.due_at - r.created_at)`;
    case 'due_soon':
      return sql<SqlBool>`${open} and r.due_at >= ${now} and r.due_at - ${now}::timestamptz < ${soon} * (r.due_at - r.created_at)`;
    case 'on_track':
      return sql<SqlBool>`${open} and r.due_at >= ${now} and r.due_at - ${now}::timestamptz >= ${soon} * (r.due_at - r.created_at)`;
    case 'met':
      return sql<SqlBool>`not ${open} and r.resolved_at <= r.due_at`;
    case 'missed':
      return sql<SqlBool>`not ${open} and r.resolved_at > r.due_at`;
    case 'none':
      return sql<SqlBool>`(r.due_at is null or (not ${open} and r.resolved_at is null))`;
  }
}

/** Which reports a staff member may see; decided in services/report-access.ts, applied in SQL here. */
export interface ReportScope {
  /** true: reports of every unit; false: only those with `unitId` now or before. */
  allUnits: boolean;
  /** The officer's unit; null with allUnits false means nothing at all (an officer without a unit). */
  unitId: number | null;
  /** Whether reports held for review (needs_review) are visible. */
  held: boolean;
}

/**
 * The SQL twin of services/report-access.ts: the reports a scope may see,
 * over `reports as r`. A unit's former reports are those with a timeline
 * event carrying the unit (assigned, accepted, declined, worked on).
 */
export function scopeSql(scope: ReportScope): Expression<SqlBool> {
  const parts = [];
  if (!scope.held) parts.push(sql`not r.needs_review`);
  if (!scope.allUnits) {
    if (scope.unitId === null) return sql<SqlBool>`false`;
    // A probe of report_events_unit_idx per report, so the inbox walks reports newest first and stops at the page.
    // Not `r.id in (select …)`: a unit with 300,000 events outgrows work_mem, and that subplan became a linear
    // search per report (31.8 s for one page at 1M reports; this form: 4.9 ms, 232 ms for the smallest unit).
    parts.push(sql`(r.unit_id = ${scope.unitId}
      or exists (select 1 from report_events ue where ue.report_id = r.id and ue.unit_id = ${scope.unitId}))`);
  }
  return parts.length ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : sql<SqlBool>`true`;
}

/** Whether a unit held the report at some point (a timeline event carries the unit). */
export async function findUnitHeldReport(db: Db, reportId: string, unitId: number) {
  const row = await db.selectFrom('report_events').select('id').where('report_id', '=', reportId).where('unit_id', '=', unitId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export interface StaffListFilters {
  scope: ReportScope;
  statuses?: ReportStatus[];
  fields?: string[];
  sla?: SlaState[];
  /** Admin area ids: a ward, a district, or the province (no filter). */
  wardId?: number;
  districtId?: number;
  unitIds?: number[];
  unassignedOnly?: boolean;
  sort: 'created' | 'due';
  after?: { key: string; id: string };
  limit: number;
  now: Date;
}

/** The reports an inbox filter matches, before paging. */
function inboxReports(db: Db, f: Omit<StaffListFilters, 'sort' | 'after' | 'limit'>) {
  return db
    .selectFrom('reports as r')
    .where(scopeSql(f.scope))
    .$if(!!f.statuses?.length, (qb) => qb.where('r.status', 'in', f.statuses!))
    .$if(!!f.fields?.length, (qb) => qb.where('r.field_code', 'in', f.fields!))
    .$if(f.wardId !== undefined, (qb) => qb.where('r.ward_id', '=', f.wardId!))
    .$if(f.districtId !== undefined, (qb) => qb.where('r.district_id', '=', f.districtId!))
    .$if(!!f.unitIds?.length, (qb) => qb.where('r.unit_id', 'in', f.unitIds!))
    .$if(!!f.unassignedOnly, (qb) => qb.where('r.unit_id', 'is', null))
    .$if(!!f.sla?.length, (qb) => qb.where((eb) => eb.or(f.sla!.map((s) => slaPredicate(s, f.now)))));
}

/** How many open reports of an inbox filter wait for a dispatcher's review (held), on every page of it. */
export async function countHeldForReview(db: Db, f: Omit<StaffListFilters, 'sort' | 'after' | 'limit'>) {
  const row = await inboxReports(db, f).where('r.needs_review', '=', true).where('r.status', 'in', OPEN_STATUSES)
    .select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** The staff inbox: keyset pagination on (created_at desc, id desc) or (due_at asc, id asc). */
export async function listStaffReports(db: Db, f: StaffListFilters) {
  let q = inboxReports(db, f)
    .innerJoin('fields as fl', 'fl.code', 'r.field_code')
    .innerJoin('admin_areas as w', 'w.id', 'r.ward_id')
    .leftJoin('units as u', 'u.id', 'r.unit_id')
    .select([
      'r.id', 'r.code', 'r.title', 'r.status', 'r.field_code', 'r.created_at', 'r.due_at', 'r.resolved_at', 'r.follower_count',
      'r.unit_id', 'r.version', 'r.declined_at', 'r.reopen_count', 'r.needs_review',
      'fl.name_vi as field_name_vi', 'fl.name_en as field_name_en', 'fl.color as field_color',
      'w.code as ward_code', 'w.name_vi as ward_name_vi', 'w.name_en as ward_name_en',
      'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en',
      slaSql(f.now).as('sla'),
      sql<number>`ST_X(r.geom)`.as('lon'),
      sql<number>`ST_Y(r.geom)`.as('lat'),
    ]);
  if (f.sort === 'due') {
    q = q.where('r.due_at', 'is not', null)
      .$if(!!f.after, (qb) => qb.where(sql<SqlBool>`(r.due_at, r.id) > (${new Date(f.after!.key)}, ${f.after!.id}::bigint)`))
      .orderBy('r.due_at', 'asc').orderBy('r.id', 'asc');
  } else {
    q = q.$if(!!f.after, (qb) => qb.where(sql<SqlBool>`(r.created_at, r.id) < (${new Date(f.after!.key)}, ${f.after!.id}::bigint)`))
      .orderBy('r.created_at', 'desc').orderBy('r.id', 'desc');
  }
  return q.limit(f.limit).execute();
}

/** Every event, public and internal, with who did it. */
export async function listAllEvents(db: Db, reportId: string) {
  return db
    .selectFrom('report_events as e')
    .leftJoin('staff_users as s', 's.id', 'e.actor_id')
    .leftJoin('units as u', 'u.id', 'e.unit_id')
    .where('e.report_id', '=', reportId)
    .select([
      'e.id', 'e.type', 'e.from_status', 'e.to_status', 'e.public', 'e.note', 'e.reason', 'e.created_at', 'e.unit_id',
      's.display_name as actor_name', 'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en',
    ])
    .orderBy('e.created_at').orderBy('e.id')
    .execute();
}

/** Locks a report for a staff action, with everything the permission checks need. */
export async function lockStaffReport(trx: Transaction<Database>, code: string) {
  return trx
    .selectFrom('reports')
    .select(['id', 'code', 'status', 'unit_id', 'field_code', 'created_at', 'due_at', 'resolved_at', 'version', 'follower_count', 'parent_id', 'reopen_count', 'needs_review'])
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

export type LockedReport = NonNullable<Awaited<ReturnType<typeof lockStaffReport>>>;

export async function listTemplates(db: Db, fieldCode: string) {
  return db.selectFrom('response_templates').selectAll()
    .where((eb) => eb.or([eb('field_code', '=', fieldCode), eb('field_code', 'is', null)]))
    .orderBy('id').execute();
}

/** The workflow facts staff see beside a report: its version, when a unit declined it, and the routing rule that placed it. */
export async function findWorkflowFacts(db: Db, reportId: string) {
  return db.selectFrom('reports as x').leftJoin('routing_rules as rr', 'rr.id', 'x.rule_id')
    .select(['x.version', 'x.declined_at', 'x.rule_id', 'rr.name as rule_name']).where('x.id', '=', reportId).executeTakeFirstOrThrow();
}
