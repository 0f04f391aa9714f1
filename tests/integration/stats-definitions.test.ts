import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { insertReport, insertReportEvent } from '../../server/db/reports.repo.js';
import { leagueTable, summary, unitStats } from '../../server/services/stats.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createUnit } from './factories.js';

/**
 * One test per definition of issue #15 that the month-long fixtures of
 * stats.test.ts do not already pin down: fair comparison between units (the
 * league), reports without a deadline, reopens counted when they happen,
 * units with nothing listed, change from unrounded figures.
 * July 2025, a month no other test writes into.
 */
const H = 3_600_000;
const MONTH = '2025-07';
const NOW = new Date('2025-08-05T00:00:00Z');
const newCode = () => `D${crypto.randomBytes(4).toString('hex').toUpperCase().slice(0, 7)}`;

interface Case {
  unit: number;
  created: string;
  /** Hours after creation; null: no deadline. */
  due: number | null;
  resolved?: number;
  status?: ReportStatus;
}

async function addReport(db: Kysely<Database>, field: string, c: Case) {
  const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
  const created = new Date(c.created);
  return insertReport(db, {
    code: newCode(), field_code: field, title: 'definition', description: 'hand-built', status: c.status ?? (c.resolved === undefined ? 'in_progress' : 'resolved'),
    ...h3CellsForPoint([BMT.lon, BMT.lat]), ward_id: ward.id, district_id: ward.parent_id!, unit_id: c.unit,
    created_at: created, due_at: c.due === null ? null : new Date(created.getTime() + c.due * H),
    resolved_at: c.resolved === undefined ? null : new Date(created.getTime() + c.resolved * H),
  } as never, BMT.lon, BMT.lat);
}

/** n reports of a unit received and resolved in July: `onTime` of them inside a 48-hour deadline, the rest after it. */
async function addResolved(db: Kysely<Database>, field: string, unit: number, n: number, onTime: number) {
  for (let i = 0; i < n; i++) {
    await addReport(db, field, { unit, created: `2025-07-${String(2 + (i % 20)).padStart(2, '0')}T02:00:00Z`, due: 48, resolved: i < onTime ? 24 : 72 });
  }
}

for (const engine of ENGINES) {
  describe(`statistics definitions [${engine}]`, () => {
    it('ranks units by the lower end of their interval, flags small samples and lists units with nothing', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const unit = () => createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const [steady, lucky, idle, middling] = [await unit(), await unit(), await unit(), await unit()];
      await addResolved(db, field, steady, 100, 90); // 90% of 100
      await addResolved(db, field, lucky, 1, 1); // 100% of 1
      await addResolved(db, field, middling, 40, 30); // 75% of 40

      const league = await leagueTable(db, 'unit', MONTH, NOW);
      const row = (id: number) => league.rows.find((r) => r.id === id)!;
      // The raw rate would put the lucky unit first; its interval (0.21–1) does not.
      expect(row(lucky).on_time).toMatchObject({ n: 1, rate: 1, enough: false });
      expect(row(lucky).on_time.low).toBeCloseTo(0.2065, 3);
      expect(row(lucky).rank).toBeNull();
      expect(row(steady).on_time).toMatchObject({ n: 100, rate: 0.9, enough: true });
      expect(row(steady).rank).toBeLessThan(row(middling).rank!);
      expect(row(steady).index_low!).toBeLessThan(row(steady).index!);
      expect(row(steady).index!).toBeLessThan(row(steady).index_high!);
      // Ranked rows come first, in order of their lower bound.
      const ranked = league.rows.filter((r) => r.rank !== null);
      expect(ranked.map((r) => r.rank)).toEqual(ranked.map((_, k) => k + 1));
      for (let k = 1; k < ranked.length; k++) expect(ranked[k - 1].index_low!).toBeGreaterThanOrEqual(ranked[k].index_low!);
      expect(league.rows.indexOf(row(lucky))).toBeGreaterThan(league.rows.indexOf(ranked[ranked.length - 1]));
      // A unit with nothing is listed, with zeros.
      expect(row(idle)).toMatchObject({ received: 0, resolved: 0, rank: null, enough: false, on_time: { n: 0, rate: null } });
      const units = await unitStats(db, { from: '2025-07-01', to: '2025-08-01', field: [field] }, NOW);
      expect(units.find((u) => u.id === idle)).toMatchObject({ total: 0, resolved: 0, open: 0 });
      expect(league.window).toEqual({ from: '2025-07-01', to: '2025-08-01', time_zone: 'Asia/Ho_Chi_Minh' });
    });

    it('keeps reports without a deadline out of on-time and counts them apart', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const unit = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      await addResolved(db, field, unit, 3, 2);
      for (let i = 0; i < 4; i++) await addReport(db, field, { unit, created: '2025-07-10T02:00:00Z', due: null, resolved: 500 });
      const s = await summary(db, { field: [field], from: '2025-07-01', to: '2025-08-01' }, NOW);
      expect(s).toMatchObject({ resolved: 7, no_deadline: 4, on_time_rate: 0.6667, on_time: { n: 3 } });
    });

    it('counts a reopen against the unit in the month it happens, even before the report is resolved again', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const unit = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      // Resolved in June, reopened on 3 July and still open.
      const r = await addReport(db, field, { unit, created: '2025-06-20T02:00:00Z', due: 48, status: 'reopened' });
      await db.updateTable('reports').set({ reopen_count: 1 }).where('id', '=', r.id).execute();
      await insertReportEvent(db, { report_id: r.id, type: 'reopened', from_status: 'resolved', to_status: 'reopened', created_at: new Date('2025-07-03T01:00:00Z') } as never);
      const july = await summary(db, { field: [field], from: '2025-07-01', to: '2025-08-01' }, NOW);
      const june = await summary(db, { field: [field], from: '2025-06-01', to: '2025-07-01' }, NOW);
      expect(july.reopened).toBe(1);
      expect(june.reopened).toBe(0);
      expect(july.components.not_reopened).toBe(0);
    });

    it('computes change from unrounded figures', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const unit = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      // 11–20 July: 2 of 3 on time; the ten days before: 1 of 3.
      for (const [day, onTime] of [['12', true], ['13', true], ['14', false], ['02', true], ['03', false], ['04', false]] as const) {
        await addReport(db, field, { unit, created: `2025-07-${day}T02:00:00Z`, due: 48, resolved: onTime ? 24 : 72 });
      }
      const s = await summary(db, { field: [field], from: '2025-07-11', to: '2025-07-21' }, NOW);
      expect(s.on_time_rate).toBe(0.6667);
      expect(s.previous.on_time_rate).toBe(0.3333);
      // 2/3 − 1/3 = 0.33333…, not 0.6667 − 0.3333 = 0.3334.
      expect(s.change.on_time_rate).toBe(0.3333);
    });

    it('serves the league and the cases behind a figure publicly, with public columns only', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const unit = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      await addResolved(db, field, unit, 25, 20);
      const { app } = testApp(db);
      const res = await app.request(`/api/league?by=unit&month=${MONTH}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.rows.find((r: { id: number }) => r.id === unit)).toMatchObject({ resolved: 25, on_time: { n: 25, rate: 0.8, enough: true } });
      expect(body.method.en).toContain('95%');
      const wards = await (await app.request(`/api/league?by=ward&month=${MONTH}`)).json();
      expect(wards.rows).toHaveLength(102);

      const cases = await (await app.request(`/api/league/cases?by=unit&code=${unit}&month=${MONTH}&measure=late`)).json();
      expect(cases.total).toBe(5);
      expect(cases.cases).toHaveLength(5);
      expect(Object.keys(cases.cases[0]).sort()).toEqual(['code', 'created_at', 'due_at', 'field', 'resolved_at', 'status', 'title']);

      for (const [query, field] of [['month=2025-13', 'month'], ['by=district', 'by'], ['month=2025-07&code=x', 'code'], ['month=2025-07&code=9999999999', 'code'], ['month=0000-01&code=1', 'month']] as const) {
        const path = query.includes('code') ? `/api/league/cases?${query}` : `/api/league?${query}`;
        const bad = await app.request(path);
        expect(bad.status, query).toBe(400);
        const error = (await bad.json()).error;
        expect(error.code).toBe('validation_failed');
        expect(JSON.stringify(error), query).toContain(field);
      }
    });
  });
}
