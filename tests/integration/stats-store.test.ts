import { latLngToCell } from 'h3-js';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { insertReport } from '../../server/db/reports.repo.js';
// Deterministic, so a failure can be replayed.
import { mulberry32 as prng } from '../../server/services/seed/prng.js';
import { aging, areaStats, hexStats, summary, timeseries, unitStats } from '../../server/services/stats.js';
import { ENGINES, testDb } from './context.js';
import { createField, createUnit } from './factories.js';

/**
 * The in-memory statistics store against a recount of the reports table,
 * written here independently: SQL for the window and backlog figures, h3-js
 * on each pin for the hexagons (so a cell stored wrongly shows), through
 * inserts, every kind of update, reopen events and deletions.
 */
const H = 3_600_000;
const STATUSES: ReportStatus[] = ['received', 'verified', 'assigned', 'in_progress', 'resolved', 'closed', 'rejected', 'reopened', 'merged', 'withdrawn'];
const OPEN = ['received', 'verified', 'assigned', 'in_progress', 'reopened'];
const PLACES = [
  { ward: '24133', at: [108.0383, 12.6667] as [number, number] },
  { ward: '24163', at: [108.053, 12.701] as [number, number] },
];
const WINDOW = { from: '2026-03-01', to: '2026-03-20' };
const NOW = new Date('2026-03-25T00:00:00Z');

async function insertRandomReports(db: Kysely<Database>, count: number, rnd: () => number, spread: number) {
  const fields = [await createField(db), await createField(db)];
  const units = [await createUnit(db, { areaCode: '24133', fieldCodes: fields }), await createUnit(db, { areaCode: '24163', fieldCodes: fields })];
  const areas = await db.selectFrom('admin_areas').select(['id', 'code', 'parent_id']).where('code', 'in', PLACES.map((p) => p.ward)).execute();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const place = PLACES[Math.floor(rnd() * PLACES.length)];
    const at: [number, number] = [place.at[0] + (rnd() - 0.5) * spread, place.at[1] + (rnd() - 0.5) * spread];
    const ward = areas.find((a) => a.code === place.ward)!;
    // From ten days before the window to its end, around local midnight too.
    const created = new Date(Date.UTC(2026, 1, 18, 16, 30) + Math.floor(rnd() * 30) * 24 * H + Math.floor(rnd() * 60) * 60_000);
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)];
    const resolved = status === 'resolved' || status === 'closed' ? new Date(created.getTime() + rnd() * 600 * H) : null;
    const report = await insertReport(db, {
      code: `R${Math.random().toString(36).slice(2, 9).toUpperCase()}`, field_code: fields[Math.floor(rnd() * 2)], title: 'store', description: 'store',
      status, ...h3CellsForPoint(at), ward_id: ward.id, district_id: ward.parent_id!, unit_id: rnd() < 0.2 ? null : units[Math.floor(rnd() * 2)],
      created_at: created, due_at: rnd() < 0.1 ? null : new Date(created.getTime() + (1 + rnd() * 200) * H), resolved_at: resolved,
      rating_satisfied: resolved && rnd() < 0.5 ? rnd() < 0.6 : null,
      // Some held for review: they must count nowhere until released.
      needs_review: rnd() < 0.15,
    } as never, at[0], at[1]);
    ids.push(report.id);
  }
  return { ids, units, fields };
}

/** One random change of something a figure depends on (or, once in a while, of something none does). */
async function mutate(db: Kysely<Database>, id: string, units: number[], rnd: () => number) {
  const pick = Math.floor(rnd() * 8);
  if (pick === 0) {
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)];
    const done = status === 'resolved' || status === 'closed';
    await sql`update reports set status = ${status},
      resolved_at = case when ${done} then coalesce(resolved_at, created_at + ${`${Math.floor(rnd() * 500)} hours`}::interval) else null end
      where id = ${id}`.execute(db);
  } else if (pick === 1) {
    await sql`update reports set unit_id = ${rnd() < 0.2 ? null : units[Math.floor(rnd() * 2)]} where id = ${id}`.execute(db);
  } else if (pick === 2) {
    await sql`update reports set rating_satisfied = ${rnd() < 0.3 ? null : rnd() < 0.5} where id = ${id}`.execute(db);
  } else if (pick === 3) {
    // A reopen, as the workflow writes it: status, count and a timeline event, in one transaction.
    const at = new Date(Date.UTC(2026, 1, 25) + Math.floor(rnd() * 30) * 24 * H);
    await db.transaction().execute(async (trx) => {
      await sql`update reports set status = 'reopened', resolved_at = null, reopen_count = reopen_count + 1 where id = ${id} and reopen_count = 0`.execute(trx);
      await sql`insert into report_events (report_id, type, from_status, to_status, created_at)
        select id, 'reopened', 'resolved', 'reopened', ${at} from reports where id = ${id} and status = 'reopened'
          and not exists (select 1 from report_events e where e.report_id = ${id} and e.to_status = 'reopened')`.execute(trx);
    });
  } else if (pick === 4) {
    await sql`update reports set due_at = created_at + interval '30 hours' where id = ${id}`.execute(db);
  } else if (pick === 5) {
    // A dispatcher releases a held report (or, in this replay, one is held again).
    await sql`update reports set needs_review = not needs_review where id = ${id}`.execute(db);
  } else if (pick === 6) {
    await db.deleteFrom('reports').where('id', '=', id).execute();
  } else {
    await sql`update reports set title = 'edited', follower_count = follower_count + 1 where id = ${id}`.execute(db);
  }
}

const dayStart = (date: string) => sql`(${date}::date::timestamp at time zone 'Asia/Ho_Chi_Minh')`;
const inWindow = (column: string) => sql`${sql.ref(column)} >= ${dayStart(WINDOW.from)} and ${sql.ref(column)} < ${dayStart(WINDOW.to)}`;

/** Every window and backlog figure per group, recounted in SQL. */
async function recount(db: Kysely<Database>, fields: string[], group: string) {
  const key = sql.raw(group);
  const { rows } = await sql<{ g: number; received: number; resolved: number; with_deadline: number; on_time: number; rated: number; satisfied: number;
    median: number | null; open: number; overdue: number; overdue30: number; reopened: number }>`
    with r as (select * from reports where field_code in (${sql.join(fields)}) and not needs_review),
    reopens as (
      select ${key} as g, count(*)::int as n from r join report_events e on e.report_id = r.id
      where e.to_status = 'reopened' and ${inWindow('e.created_at')} group by 1
    ), main as (
    select ${key} as g,
      count(*) filter (where ${inWindow('created_at')})::int as received,
      count(*) filter (where ${inWindow('resolved_at')})::int as resolved,
      count(*) filter (where ${inWindow('resolved_at')} and due_at > created_at)::int as with_deadline,
      count(*) filter (where ${inWindow('resolved_at')} and due_at > created_at and resolved_at <= due_at)::int as on_time,
      count(*) filter (where ${inWindow('resolved_at')} and rating_satisfied is not null)::int as rated,
      count(*) filter (where ${inWindow('resolved_at')} and rating_satisfied)::int as satisfied,
      percentile_cont(0.5) within group (order by extract(epoch from (resolved_at - created_at))::float8 / 3600) filter (where ${inWindow('resolved_at')}) as median,
      count(*) filter (where status in (${sql.join(OPEN)}))::int as open,
      count(*) filter (where status in (${sql.join(OPEN)}) and due_at < ${NOW})::int as overdue,
      count(*) filter (where status in (${sql.join(OPEN)}) and due_at < ${NOW}::timestamptz - interval '30 days')::int as overdue30
    from r group by 1)
    select main.*, coalesce(o.n, 0) as reopened from main left join reopens o on o.g = main.g`.execute(db);
  return new Map(rows.map((r) => [Number(r.g), r]));
}

/** Cells recomputed from each pin with h3-js: received in the window, open and overdue now, exact median of those resolved in the window. */
async function recountHexes(db: Kysely<Database>, fields: string[], res: number) {
  const { rows } = await sql<{ lat: number; lon: number; created: boolean; resolved: boolean; hours: number | null; open: boolean; overdue: boolean }>`
    select ST_Y(geom) as lat, ST_X(geom) as lon, ${inWindow('created_at')} as created, coalesce(${inWindow('resolved_at')}, false) as resolved,
      extract(epoch from (resolved_at - created_at))::float8 / 3600 as hours,
      status in (${sql.join(OPEN)}) as open,
      coalesce(status in (${sql.join(OPEN)}) and due_at < ${NOW}, false) as overdue
    from reports where field_code in (${sql.join(fields)}) and not needs_review`.execute(db);
  const cells = new Map<string, { count: number; open: number; overdue: number; hours: number[] }>();
  for (const r of rows) {
    if (!r.created && !r.resolved && !r.open) continue;
    const h3 = latLngToCell(r.lat, r.lon, res);
    const c = cells.get(h3) ?? { count: 0, open: 0, overdue: 0, hours: [] };
    if (r.created) c.count++;
    if (r.open) c.open++;
    if (r.overdue) c.overdue++;
    if (r.resolved) c.hours.push(r.hours!);
    cells.set(h3, c);
  }
  const median = (v: number[]) => {
    if (!v.length) return null;
    const s = [...v].sort((a, b) => a - b);
    return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
  };
  return new Map([...cells].map(([h3, c]) => [h3, { h3, count: c.count, open: c.open, overdue: c.overdue, median_handling_hours: median(c.hours) }]));
}

async function expectStoreMatchesRecount(db: Kysely<Database>, fields: string[], units: number[]) {
  const q = { ...WINDOW, field: fields };
  const all = (await recount(db, fields, '0')).get(0)!;
  const s = await summary(db, q, NOW);
  expect({
    received: s.received, resolved: s.resolved, with_deadline: s.on_time.n, rated: s.rated, open: s.open, overdue: s.overdue,
    overdue30: s.overdue_30_plus, reopened: s.reopened,
  }).toEqual({
    received: all.received, resolved: all.resolved, with_deadline: all.with_deadline, rated: all.rated, open: all.open, overdue: all.overdue,
    overdue30: all.overdue30, reopened: all.reopened,
  });
  expect(s.on_time_rate).toBe(all.with_deadline ? Math.round((all.on_time / all.with_deadline) * 10_000) / 10_000 : null);
  expect(s.median_handling_hours).toBe(all.median === null ? null : Math.round(all.median * 10) / 10);

  const wards = await recount(db, fields, 'r.ward_id');
  const wardIds = await db.selectFrom('admin_areas').select(['id', 'code']).where('code', 'in', PLACES.map((p) => p.ward)).execute();
  const areas = await areaStats(db, 'ward', undefined, q, NOW);
  for (const w of wardIds) {
    const got = areas.find((a) => a.code === w.code)!;
    const want = wards.get(w.id);
    expect({ received: got.received, resolved: got.resolved, open: got.open, overdue: got.overdue, reopened: got.reopened }, `ward ${w.code}`)
      .toEqual({ received: want?.received ?? 0, resolved: want?.resolved ?? 0, open: want?.open ?? 0, overdue: want?.overdue ?? 0, reopened: want?.reopened ?? 0 });
    expect(got.median_handling_hours, `ward ${w.code}`).toBe(want?.median == null ? null : Math.round(want.median * 10) / 10);
  }

  const byUnit = await recount(db, fields, 'coalesce(r.unit_id, 0)');
  const unitRows = (await unitStats(db, q, NOW)).filter((u) => units.includes(u.id));
  expect(unitRows.map((u) => u.id).sort()).toEqual([...units].sort());
  for (const u of unitRows) {
    const want = byUnit.get(u.id);
    expect({ received: u.received, resolved: u.resolved, on_time: u.on_time.n, open: u.open, overdue: u.overdue, reopened: u.reopened }, `unit ${u.id}`)
      .toEqual({ received: want?.received ?? 0, resolved: want?.resolved ?? 0, on_time: want?.with_deadline ?? 0, open: want?.open ?? 0, overdue: want?.overdue ?? 0, reopened: want?.reopened ?? 0 });
  }

  for (const res of [5, 6, 7, 8] as const) {
    const want = await recountHexes(db, fields, res);
    const got = await hexStats(db, res, res >= 8 ? [107.5, 12.3, 108.6, 13.1] : undefined, q, NOW);
    expect(want.size, `res ${res}: cells`).toBeGreaterThan(res >= 7 ? 3 : 0);
    const round = (h: { median_handling_hours: number | null }) => (h.median_handling_hours === null ? null : Math.round(h.median_handling_hours * 10) / 10);
    expect(new Map(got.map((h) => [h.h3, h])), `res ${res}`).toEqual(new Map([...want].map(([k, v]) => [k, { ...v, median_handling_hours: round(v) }])));
  }
}

for (const engine of ENGINES) {
  describe(`statistics store [${engine}]`, () => {
    it('equals a recount of the reports through inserts, every kind of update, reopens and deletions', async () => {
      const db = await testDb(engine);
      const rnd = prng(20261203);
      const { ids, units, fields } = await insertRandomReports(db, 160, rnd, 0.3);
      await expectStoreMatchesRecount(db, fields, units);
      for (let i = 0; i < 300; i++) await mutate(db, ids[Math.floor(rnd() * ids.length)], units, rnd);
      await expectStoreMatchesRecount(db, fields, units);
    });

    it('counts the whole open backlog whatever the window, and the timeseries flows by their own dates with every day present', async () => {
      const db = await testDb(engine);
      const { fields } = await insertRandomReports(db, 120, prng(77), 0.1);
      const { rows: [backlog] } = await sql<{ open: number; overdue: number }>`
        select count(*) filter (where status in (${sql.join(OPEN)}))::int as open,
               count(*) filter (where status in (${sql.join(OPEN)}) and due_at < ${NOW})::int as overdue
        from reports where field_code in (${sql.join(fields)}) and not needs_review`.execute(db);
      // A one-day window years later still shows the backlog.
      const late = await summary(db, { field: fields, from: '2026-03-24', to: '2026-03-25' }, NOW);
      expect({ open: late.open, overdue: late.overdue, received: late.received }).toEqual({ ...backlog, received: 0 });
      const buckets = await aging(db, { field: fields, from: '2026-03-24', to: '2026-03-25' }, NOW);
      expect(buckets.reduce((a, b) => a + b.count, 0)).toBe(backlog.open);

      const series = await timeseries(db, 'day', { ...WINDOW, field: fields }, NOW);
      expect(series.map((p) => p.bucket)).toEqual(Array.from({ length: 19 }, (_, d) => `2026-03-${String(d + 1).padStart(2, '0')}`));
      const { rows } = await sql<{ day: string; n: number }>`
        select to_char((resolved_at at time zone 'Asia/Ho_Chi_Minh')::date, 'YYYY-MM-DD') as day, count(*)::int as n
        from reports where field_code in (${sql.join(fields)}) and not needs_review and ${inWindow('resolved_at')} group by 1`.execute(db);
      const resolved = Object.fromEntries(rows.map((r) => [r.day, r.n]));
      expect(Object.fromEntries(series.filter((p) => p.resolved).map((p) => [p.bucket, p.resolved]))).toEqual(resolved);
      // Resolutions of reports received before the window count too.
      const { rows: [older] } = await sql<{ n: number }>`
        select count(*)::int as n from reports where field_code in (${sql.join(fields)}) and not needs_review
          and ${inWindow('resolved_at')} and created_at < ${dayStart(WINDOW.from)}`.execute(db);
      expect(older.n).toBeGreaterThan(0);
    });

    if (engine === 'postgres') {
      it('sees a change whose transaction began before a refresh and committed after it', async () => {
        const db = await testDb(engine);
        const { ids, fields } = await insertRandomReports(db, 5, prng(5), 0);
        const q = { field: fields, from: '2026-02-01', to: '2026-04-01' };
        await sql`update reports set needs_review = false where id in (${sql.join(ids)})`.execute(db);
        expect((await summary(db, q, NOW)).received).toBe(5);
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let updated!: () => void;
        const didUpdate = new Promise<void>((r) => (updated = r));
        // This transaction writes first and commits only after the store has looked.
        const slow = db.transaction().execute(async (trx) => {
          await sql`update reports set needs_review = true where id in (${ids[0]}, ${ids[1]})`.execute(trx);
          updated();
          await held;
        });
        await didUpdate;
        expect((await summary(db, q, NOW)).received).toBe(5);
        release();
        await slow;
        expect((await summary(db, q, NOW)).received).toBe(3);
      });
    }
  });
}
