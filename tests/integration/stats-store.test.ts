import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint, int8ToH3 } from '../../spatial/h3-cells.js';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { insertReport } from '../../server/db/reports.repo.js';
// Deterministic, so a failure can be replayed.
import { mulberry32 as prng } from '../../server/services/seed/prng.js';
import { HANDLING_BUCKET_EDGES, HEX_COLUMNS, selectMetricGroups, type MetricGroup } from '../../server/db/stats.repo.js';
import { estimateMedian, hexStats } from '../../server/services/stats.js';
import { ENGINES, testDb } from './context.js';
import { createField, createUnit } from './factories.js';
import { rollupMismatches } from './stats-helpers.js';

const H = 3_600_000;
const STATUSES: ReportStatus[] = ['received', 'verified', 'assigned', 'in_progress', 'resolved', 'closed', 'rejected', 'reopened', 'merged', 'withdrawn'];
const PLACES = [
  { ward: '24133', at: [108.0383, 12.6667] as [number, number] },
  { ward: '24163', at: [108.053, 12.701] as [number, number] },
];

/** `spread` (degrees) scatters the pins around their ward's point, over several H3 cells. */
async function insertRandomReports(db: Kysely<Database>, count: number, rnd: () => number, spread = 0) {
  const fields = [await createField(db), await createField(db)];
  const units = [await createUnit(db, { areaCode: '24133', fieldCodes: fields }), await createUnit(db, { areaCode: '24163', fieldCodes: fields })];
  const areas = await db.selectFrom('admin_areas').select(['id', 'code', 'parent_id']).where('code', 'in', PLACES.map((p) => p.ward)).execute();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const place = PLACES[Math.floor(rnd() * PLACES.length)];
    const at: [number, number] = spread ? [place.at[0] + (rnd() - 0.5) * spread, place.at[1] + (rnd() - 0.5) * spread] : place.at;
    const ward = areas.find((a) => a.code === place.ward)!;
    // Around local midnight too, so the day boundary in Asia/Ho_Chi_Minh is exercised.
    const created = new Date(Date.UTC(2026, 2, 1, 16, 30) + Math.floor(rnd() * 20) * 24 * H + Math.floor(rnd() * 60) * 60_000);
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)];
    const resolved = status === 'resolved' || status === 'closed' ? new Date(created.getTime() + rnd() * 900 * H) : null;
    const report = await insertReport(db, {
      code: `R${Math.random().toString(36).slice(2, 9).toUpperCase()}`, field_code: fields[Math.floor(rnd() * 2)], title: 'rollup', description: 'rollup',
      status, ...h3CellsForPoint(at), ward_id: ward.id, district_id: ward.parent_id!, unit_id: rnd() < 0.2 ? null : units[Math.floor(rnd() * 2)],
      created_at: created, due_at: rnd() < 0.1 ? null : new Date(created.getTime() + (1 + rnd() * 200) * H), resolved_at: resolved,
      reopen_count: rnd() < 0.2 ? 1 : 0, rating_satisfied: resolved && rnd() < 0.5 ? rnd() < 0.6 : null,
      // Some held for review: they must count nowhere until released.
      needs_review: rnd() < 0.15,
    } as never, at[0], at[1]);
    ids.push(report.id);
  }
  return { ids, units, fields };
}

/** One random change of a column the rollups depend on. */
async function mutate(db: Kysely<Database>, id: string, units: number[], rnd: () => number) {
  const pick = Math.floor(rnd() * 7);
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
    await sql`update reports set reopen_count = reopen_count + 1 where id = ${id}`.execute(db);
  } else if (pick === 5) {
    // A dispatcher releases a held report (or, in this replay, one is held again).
    await sql`update reports set needs_review = not needs_review where id = ${id}`.execute(db);
  } else if (pick === 4) {
    await sql`update reports set due_at = coalesce(due_at, created_at) + interval '30 hours' where id = ${id}`.execute(db);
  } else {
    // A change the rollups do not depend on must leave them alone.
    await sql`update reports set title = 'edited', follower_count = follower_count + 1 where id = ${id}`.execute(db);
  }
}

for (const engine of ENGINES) {
  describe(`statistics rollups [${engine}]`, () => {
    it('stay equal to a recount of the reports through inserts, every kind of update and deletes', async () => {
      const db = await testDb(engine);
      const rnd = prng(20261123);
      const { ids, units } = await insertRandomReports(db, 80, rnd);
      expect(await rollupMismatches(db)).toEqual({ daily: 0, hex: 0 });
      for (let i = 0; i < 300; i++) await mutate(db, ids[Math.floor(rnd() * ids.length)], units, rnd);
      await db.deleteFrom('reports').where('id', 'in', ids.slice(0, 5)).execute();
      expect(await rollupMismatches(db)).toEqual({ daily: 0, hex: 0 });
    });

    it('gives the exact median handling time per group, as percentile_cont over the reports', async () => {
      const db = await testDb(engine);
      const { fields } = await insertRandomReports(db, 120, prng(99));
      const f = { from: '2026-03-01', to: '2026-03-20', fields };
      const keys: Record<MetricGroup, string> = { all: '0', ward: 'ward_id', district: 'district_id', unit: 'coalesce(unit_id, 0)' };
      for (const group of ['all', 'ward', 'district', 'unit'] as const) {
        const { rows } = await sql<{ g: number; median: number }>`
          select ${sql.raw(keys[group])} as g,
            percentile_cont(0.5) within group (order by extract(epoch from (resolved_at - created_at)) / 3600) as median
          from reports
          where field_code in (${sql.join(fields)}) and resolved_at is not null and not needs_review
            and created_at >= '2026-03-01'::date::timestamp at time zone 'Asia/Ho_Chi_Minh'
            and created_at < '2026-03-20'::date::timestamp at time zone 'Asia/Ho_Chi_Minh'
          group by 1`.execute(db);
        expect(rows.length, group).toBeGreaterThan(0);
        const metrics = await selectMetricGroups(db, f, new Date('2026-04-01T00:00:00Z'), group);
        for (const r of rows) expect(metrics.get(r.g)?.median_handling_hours, `${group} ${r.g}`).toBeCloseTo(Number(r.median), 6);
      }
    });

    it('give every hexagon its count, overdue count and the median estimate of its own handling-time histogram', async () => {
      const db = await testDb(engine);
      const { fields } = await insertRandomReports(db, 150, prng(31), 0.3);
      const now = new Date('2026-03-15T00:00:00Z');
      const q = { from: '2026-03-01', to: '2026-03-20', field: fields };
      for (const res of [6, 7, 8] as const) {
        // Recounted from the reports, without the rollups or the SQL that finds the median bucket.
        const column = sql.ref(HEX_COLUMNS[res]);
        const { rows } = await sql<{ cell: string; bucket: number | null; n: number; overdue: number }>`
          select ${column}::text as cell, stats_handling_bucket(resolved_at, created_at)::int as bucket, count(*)::int as n,
                 count(*) filter (where status in ('received','verified','assigned','in_progress','reopened') and due_at < ${now})::int as overdue
          from reports
          where field_code in (${sql.join(fields)}) and not needs_review
            and created_at >= '2026-03-01'::date::timestamp at time zone 'Asia/Ho_Chi_Minh'
            and created_at < '2026-03-20'::date::timestamp at time zone 'Asia/Ho_Chi_Minh'
          group by 1, 2`.execute(db);
        const expected = new Map<string, { count: number; overdue: number; histogram: number[] }>();
        for (const r of rows) {
          const h3 = int8ToH3(r.cell);
          const cell = expected.get(h3) ?? { count: 0, overdue: 0, histogram: Array<number>(HANDLING_BUCKET_EDGES.length + 1).fill(0) };
          cell.count += r.n;
          cell.overdue += r.overdue;
          if (r.bucket !== null) cell.histogram[r.bucket] += r.n;
          expected.set(h3, cell);
        }
        const medians = [...expected.values()].map((c) => estimateMedian(c.histogram)).filter((m) => m !== null);
        expect(expected.size, `res ${res}: cells`).toBeGreaterThan(3);
        expect(medians.length, `res ${res}: cells with a median`).toBeGreaterThan(3);
        const hexes = await hexStats(db, res, res >= 8 ? [107.5, 12.3, 108.6, 13.1] : undefined, q, now);
        const got = new Map(hexes.map((h) => [h.h3, h]));
        expect([...got.keys()].sort(), `res ${res}`).toEqual([...expected.keys()].sort());
        for (const [h3, c] of expected) {
          const median = estimateMedian(c.histogram);
          expect(got.get(h3), `res ${res} ${h3}`).toEqual({
            h3, count: c.count, overdue: c.overdue, median_handling_hours: median === null ? null : Math.round(median * 10) / 10,
          });
        }
      }
    });

    it('survive concurrent staff actions moving reports between the same statuses in both directions', async () => {
      const db = await testDb(engine);
      const rnd = prng(7);
      const { ids } = await insertRandomReports(db, 40, rnd);
      // All on one day, ward, field and unit, so they share rollup rows.
      await sql`update reports r set status = case when r.id % 2 = 0 then 'assigned' else 'in_progress' end, resolved_at = null,
          created_at = f.created_at, ward_id = f.ward_id, district_id = f.district_id, field_code = f.field_code, unit_id = f.unit_id,
          h3_r5 = f.h3_r5, h3_r6 = f.h3_r6, h3_r7 = f.h3_r7
        from reports f where f.id = ${ids[0]} and r.id in (${sql.join(ids)})`.execute(db);
      // Each transaction moves one report each way, in opposite orders: the
      // classic shape of a deadlock on shared rollup rows.
      const flips = ids.slice(0, 20).map((id, i) => db.transaction().execute(async (trx) => {
        const other = ids[ids.length - 1 - i];
        for (const target of i % 2 ? [id, other] : [other, id]) {
          await sql`update reports set status = case status when 'assigned' then 'in_progress' else 'assigned' end where id = ${target}`.execute(trx);
        }
      }));
      const results = await Promise.allSettled(flips);
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      expect(await rollupMismatches(db)).toEqual({ daily: 0, hex: 0 });
    });
  });
}
