import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database, Db, NewFieldRow, NewStaffUserRow, NewUnitRow } from './database.js';
import { engineOf } from './engine.js';

/** Bulk queries of the demo seed. Reference data is inserted by code and skipped when present. */

export async function insertMissingFields(db: Db, fields: NewFieldRow[]): Promise<void> {
  await db.insertInto('fields').values(fields).onConflict((oc) => oc.column('code').doNothing()).execute();
}

export async function insertMissingUnits(db: Db, units: NewUnitRow[]): Promise<void> {
  for (let i = 0; i < units.length; i += 500) {
    await db.insertInto('units').values(units.slice(i, i + 500)).onConflict((oc) => oc.column('code').doNothing()).execute();
  }
}

export async function findUnitIdsByCode(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('units').select(['id', 'code']).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}

export async function insertMissingUnitAreas(db: Db, links: { unit_id: number; area_id: number }[]): Promise<void> {
  if (!links.length) return;
  await db.insertInto('unit_areas').values(links).onConflict((oc) => oc.columns(['unit_id', 'area_id']).doNothing()).execute();
}

export async function insertMissingUnitFields(db: Db, links: { unit_id: number; field_code: string }[]): Promise<void> {
  if (!links.length) return;
  await db.insertInto('unit_fields').values(links).onConflict((oc) => oc.columns(['unit_id', 'field_code']).doNothing()).execute();
}

export async function findStaffIdsByUsername(db: Db, usernames: string[]): Promise<Map<string, number>> {
  const rows = await db.selectFrom('staff_users').select(['id', 'username']).where('username', 'in', usernames).execute();
  return new Map(rows.map((r) => [r.username, r.id]));
}

export async function insertStaffUser(db: Db, user: NewStaffUserRow): Promise<void> {
  await db.insertInto('staff_users').values(user).onConflict((oc) => oc.column('username').doNothing()).execute();
}

export interface SeedWardRow {
  id: number;
  code: string;
  parent_id: number;
  full_name_vi: string;
  full_name_en: string;
  geometry: string;
}

/** Wards with full-detail GeoJSON geometry, read once to sample points inside them. */
export async function findSeedWards(db: Db): Promise<SeedWardRow[]> {
  const rows = await db
    .selectFrom('admin_areas')
    .where('level', '=', 'ward')
    .select(['id', 'code', 'parent_id', 'full_name_vi', 'full_name_en', sql<string>`ST_AsGeoJSON(geom)`.as('geometry')])
    .orderBy('code')
    .execute();
  return rows.map((r) => {
    if (r.parent_id === null) throw new Error(`Ward ${r.code} has no former district`);
    return { ...r, parent_id: r.parent_id };
  });
}

export async function findProvinceId(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('admin_areas').select('id').where('level', '=', 'province').executeTakeFirst();
  return row?.id;
}

export async function hasAnyReport(db: Db): Promise<boolean> {
  const row = await db.selectFrom('reports').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function findReportCodes(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('reports').select('code').execute();
  return new Set(rows.map((r) => r.code));
}

/** One report ready to load, with its timeline and optional rating. */
export interface SeedReportRow {
  id: number;
  code: string;
  field_code: string;
  title: string;
  description: string;
  status: string;
  lon: number;
  lat: number;
  h3_r5: string;
  h3_r6: string;
  h3_r7: string;
  h3_r8: string;
  h3_r9: string;
  ward_id: number;
  district_id: number;
  unit_id: number | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  reporter_email: string | null;
  hide_name: boolean;
  follower_count: number;
  source: string;
  created_at: Date;
  updated_at: Date;
  assigned_at: Date | null;
  due_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  events: {
    type: string;
    from_status: string | null;
    to_status: string | null;
    note: string | null;
    actor_id: number | null;
    unit_id: number | null;
    created_at: Date;
  }[];
  rating: { satisfied: boolean; comment: string | null; created_at: Date } | null;
}

/** Produces the next batch of reports given the id of its first one; an empty batch ends the load. */
export type BatchSource = () => Promise<SeedReportRow[]>;

/**
 * Loads reports with explicit ids in one transaction: COPY on PostgreSQL,
 * multi-row INSERTs on the embedded engine. The table is locked against other
 * writers meanwhile, so the ids reserved up front cannot be taken.
 * `produce(firstId)` returns a function yielding batches numbered from firstId.
 */
export async function loadReports(db: Kysely<Database>, expected: number, produce: (firstId: number) => BatchSource): Promise<number> {
  const engine = engineOf(db);
  if (engine.withPgClient) return engine.withPgClient((client) => copyReports(client, expected, produce));
  return db.transaction().execute(async (trx) => {
    const firstId = await lockAndReserve(trx);
    const next = produce(firstId);
    let loaded = 0;
    for (let batch = await next(); batch.length; batch = await next()) {
      await insertReportBatch(trx, batch);
      loaded += batch.length;
    }
    await sql`select setval(pg_get_serial_sequence('reports', 'id'), ${firstId + loaded - 1})`.execute(trx);
    return loaded;
  });
}

// ids continue after both the largest id and the sequence, so neither the
// seed nor later inserts through the sequence can collide.
const RESERVE_SQL = `
  select greatest(
    coalesce((select max(id) from reports), 0),
    (select case when is_called then last_value else 0 end from reports_id_seq)
  ) + 1 as first_id`;

async function lockAndReserve(trx: Transaction<Database>): Promise<number> {
  // SHARE ROW EXCLUSIVE blocks other writers (and itself) but not readers.
  await sql`lock table reports in share row exclusive mode`.execute(trx);
  const { rows } = await sql.raw<{ first_id: string }>(RESERVE_SQL).execute(trx);
  return Number(rows[0].first_id);
}

const ewkt = (r: SeedReportRow) => `SRID=4326;POINT(${r.lon} ${r.lat})`;

// PGlite sends a Date parameter as Date.toString(), which PostgreSQL cannot
// parse when the parameter's type is not known yet (multi-row VALUES): send ISO text.
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

// Keeps each statement under PGlite's 32,767-parameter limit (see create-db.ts).
const EVENT_BATCH = 1000;

async function insertReportBatch(trx: Transaction<Database>, batch: SeedReportRow[]): Promise<void> {
  // ~30 parameters a row: batches stay far below PostgreSQL's 65,535-parameter limit.
  for (let i = 0; i < batch.length; i += 1000) {
    const rows = batch.slice(i, i + 1000);
    await trx
      .insertInto('reports')
      .values(rows.map((r) => ({
        id: r.id, code: r.code, field_code: r.field_code, title: r.title, description: r.description,
        status: r.status, geom: sql`ST_GeomFromEWKT(${ewkt(r)})`,
        h3_r5: r.h3_r5, h3_r6: r.h3_r6, h3_r7: r.h3_r7, h3_r8: r.h3_r8, h3_r9: r.h3_r9,
        ward_id: r.ward_id, district_id: r.district_id, unit_id: r.unit_id,
        reporter_name: r.reporter_name, reporter_phone: r.reporter_phone, reporter_email: r.reporter_email,
        hide_name: r.hide_name, follower_count: r.follower_count, source: r.source,
        created_at: iso(r.created_at), updated_at: iso(r.updated_at), assigned_at: iso(r.assigned_at), due_at: iso(r.due_at),
        resolved_at: iso(r.resolved_at), closed_at: iso(r.closed_at), rating_satisfied: r.rating?.satisfied ?? null,
      })) as never)
      .execute();
    const events = rows.flatMap((r) => r.events.map((e) => ({ report_id: r.id, public: true, ...e, created_at: e.created_at.toISOString() })));
    for (let j = 0; j < events.length; j += EVENT_BATCH) {
      await trx.insertInto('report_events').values(events.slice(j, j + EVENT_BATCH)).execute();
    }
    const ratings = rows.flatMap((r) => (r.rating ? [{ report_id: r.id, ...r.rating, created_at: r.rating.created_at.toISOString() }] : []));
    if (ratings.length) await trx.insertInto('ratings').values(ratings).execute();
  }
}

// ---- COPY (PostgreSQL) ----------------------------------------------------

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

const REPORT_COLUMNS = [
  'id', 'code', 'field_code', 'title', 'description', 'status', 'geom', 'h3_r5', 'h3_r6', 'h3_r7', 'h3_r8', 'h3_r9',
  'ward_id', 'district_id', 'unit_id', 'reporter_name', 'reporter_phone', 'reporter_email', 'hide_name',
  'follower_count', 'source', 'created_at', 'updated_at', 'assigned_at', 'due_at', 'resolved_at', 'closed_at', 'rating_satisfied',
];
const EVENT_COLUMNS = ['report_id', 'type', 'from_status', 'to_status', 'public', 'note', 'actor_id', 'unit_id', 'created_at'];
const RATING_COLUMNS = ['report_id', 'satisfied', 'comment', 'created_at'];

// CSV: an unquoted empty field is NULL; every text value is quoted, so an
// empty string stays an empty string.
const text = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
const num = (v: number | null) => (v === null ? '' : String(v));
const time = (v: Date | null) => (v === null ? '' : v.toISOString());

function reportLine(r: SeedReportRow): string {
  return [
    r.id, text(r.code), text(r.field_code), text(r.title), text(r.description), r.status, ewkt(r),
    r.h3_r5, r.h3_r6, r.h3_r7, r.h3_r8, r.h3_r9, r.ward_id, r.district_id, num(r.unit_id),
    text(r.reporter_name), text(r.reporter_phone), text(r.reporter_email), r.hide_name ? 't' : 'f',
    r.follower_count, text(r.source), time(r.created_at), time(r.updated_at), time(r.assigned_at),
    time(r.due_at), time(r.resolved_at), time(r.closed_at), r.rating ? (r.rating.satisfied ? 't' : 'f') : '',
  ].join(',') + '\n';
}

function eventLines(r: SeedReportRow): string {
  let out = '';
  for (const e of r.events) {
    out += `${r.id},${text(e.type)},${text(e.from_status)},${text(e.to_status)},t,${text(e.note)},${num(e.actor_id)},${num(e.unit_id)},${e.created_at.toISOString()}\n`;
  }
  return out;
}

function ratingLine(r: SeedReportRow): string {
  const g = r.rating!;
  return `${r.id},${g.satisfied ? 't' : 'f'},${text(g.comment)},${g.created_at.toISOString()}\n`;
}

/** Streams lines into one COPY ... FROM STDIN, in chunks so the socket never holds a whole batch twice. */
async function copyLines(client: PoolClient, table: string, columns: string[], lines: string[]): Promise<void> {
  if (!lines.length) return;
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
  await pipeline(Readable.from(chunk(lines)), stream);
}

function* chunk(lines: string[]): Generator<string> {
  for (let i = 0; i < lines.length; i += 2000) yield lines.slice(i, i + 2000).join('');
}

// Secondary (non-unique) indexes of the bulk-loaded tables; the unique ones
// stay, since they guard the ids and codes being loaded.
const SECONDARY_INDEXES_SQL = `
  select c.relname as name, pg_get_indexdef(x.indexrelid) as def
  from pg_index x join pg_class c on c.oid = x.indexrelid
  where x.indrelid in ('reports'::regclass, 'report_events'::regclass, 'ratings'::regclass) and not x.indisunique
  order by c.relname`;

async function copyReports(client: PoolClient, expected: number, produce: (firstId: number) => BatchSource): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE');
    // The seed can be re-run from scratch; losing its last second on a crash is fine.
    await client.query('SET LOCAL synchronous_commit = off');
    const { rows } = await client.query<{ first_id: string }>(RESERVE_SQL);
    const firstId = Number(rows[0].first_id);
    // Building an index once after the load is several times faster than
    // updating it row by row. Dropped and rebuilt inside this transaction, so
    // a failure rolls the drop back and no session ever sees them missing
    // (DROP INDEX locks the table, readers included, until commit: fine for a
    // seed). Only worth it when the load is large next to what is there.
    const { rows: [{ n: existing }] } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM reports');
    const rebuild = expected >= 50_000 && expected >= existing
      ? (await client.query<{ name: string; def: string }>(SECONDARY_INDEXES_SQL)).rows
      : [];
    for (const index of rebuild) await client.query(`DROP INDEX ${quoteIdent(index.name)}`);
    const next = produce(firstId);
    let loaded = 0;
    // Keep one batch in flight: PostgreSQL ingests batch k while Node builds batch k+1.
    let inflight: Promise<void> = Promise.resolve();
    for (let batch = await next(); batch.length; batch = await next()) {
      const reports = batch.map(reportLine);
      const events = batch.map(eventLines);
      const ratings = batch.filter((r) => r.rating).map(ratingLine);
      await inflight;
      inflight = (async () => {
        await copyLines(client, 'reports', REPORT_COLUMNS, reports);
        await copyLines(client, 'report_events', EVENT_COLUMNS, events);
        await copyLines(client, 'ratings', RATING_COLUMNS, ratings);
      })();
      // Its error is rethrown by the next `await inflight`; this only stops an unhandled-rejection crash meanwhile.
      inflight.catch(() => {});
      loaded += batch.length;
    }
    await inflight;
    if (rebuild.length) {
      await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
      for (const index of rebuild) await client.query(index.def);
    }
    if (loaded) await client.query(`SELECT setval(pg_get_serial_sequence('reports', 'id'), $1)`, [firstId + loaded - 1]);
    await client.query('COMMIT');
    await client.query('ANALYZE reports');
    await client.query('ANALYZE report_events');
    return loaded;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** The templates, only into an empty table (an operator's own are never mixed with the starting set). */
export async function insertTemplatesIfNone(db: Db, templates: { field_code: string | null; title: string; body_vi: string; body_en: string }[]): Promise<void> {
  if (await db.selectFrom('response_templates').select('id').limit(1).executeTakeFirst()) return;
  await db.insertInto('response_templates').values(templates).execute();
}
