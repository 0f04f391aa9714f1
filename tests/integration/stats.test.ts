import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { insertReport } from '../../server/db/reports.repo.js';
import { aging, areaStats, hexStats, hourWeekday, summary, timeseries, unitStats, worstOverdue } from '../../server/services/stats.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs } from './factories.js';

const H = 3_600_000;
const NOW = new Date('2026-03-09T00:00:00Z');
const BMT = [108.0383, 12.6667] as const; // ward 24133
const TAN_AN = [108.0530, 12.7010] as const; // ward 24163, same former district 643

interface Row {
  name: string;
  at: readonly [number, number];
  created: string;
  dueHours: number;
  resolvedHours?: number;
  status: ReportStatus;
  /** When it was reopened (its timeline event). */
  reopenedAt?: string;
  rating?: boolean;
}

/**
 * The hand-built month: window [2026-03-01, 2026-03-08) local time, i.e.
 * [2026-02-28T17:00Z, 2026-03-07T17:00Z). Answers worked out by hand in the comments.
 */
const ROWS: Row[] = [
  // Exactly at the window's start; resolved exactly at its deadline (on time), satisfied.
  { name: 'A', at: BMT, created: '2026-02-28T17:00:00Z', dueHours: 10, resolvedHours: 10, status: 'resolved', rating: true },
  // One second before the window: previous period only.
  { name: 'B', at: BMT, created: '2026-02-28T16:59:59Z', dueHours: 24, status: 'received' },
  // The window's last second; open and past due at NOW (31 h elapsed > 3 × 7 h allotted).
  { name: 'C', at: BMT, created: '2026-03-07T16:59:59Z', dueHours: 7, status: 'assigned' },
  // Exactly at the window's end: excluded (to is exclusive).
  { name: 'D', at: BMT, created: '2026-03-07T17:00:00Z', dueHours: 24, status: 'received' },
  // Late: 72 h handling against 48 h allotted; reopened once inside the window; not satisfied.
  { name: 'E', at: BMT, created: '2026-03-02T03:00:00Z', dueHours: 48, resolvedHours: 72, status: 'closed', reopenedAt: '2026-03-06T03:00:00Z', rating: false },
  // Open, not yet due.
  { name: 'G', at: BMT, created: '2026-03-03T03:00:00Z', dueHours: 400, status: 'in_progress' },
  // Another ward of the same former district; on time, unrated.
  { name: 'H', at: TAN_AN, created: '2026-03-04T03:00:00Z', dueHours: 72, resolvedHours: 20, status: 'closed' },
];

async function seedMonth(db: Kysely<Database>) {
  const field = await createField(db);
  const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
  const areas = await db.selectFrom('admin_areas').select(['id', 'code', 'parent_id']).where('code', 'in', ['24133', '24163']).execute();
  for (const r of ROWS) {
    const ward = areas.find((a) => a.code === (r.at === BMT ? '24133' : '24163'))!;
    const created = new Date(r.created);
    const report = await insertReport(db, {
      code: `T${Math.random().toString(36).slice(2, 9).toUpperCase()}`, field_code: field, title: `Row ${r.name}`, description: 'hand-built',
      status: r.status, ...h3CellsForPoint([r.at[0], r.at[1]]), ward_id: ward.id, district_id: ward.parent_id!, unit_id: unitId,
      created_at: created, due_at: new Date(created.getTime() + r.dueHours * H),
      resolved_at: r.resolvedHours === undefined ? null : new Date(created.getTime() + r.resolvedHours * H), reopen_count: r.reopenedAt ? 1 : 0,
      rating_satisfied: r.rating ?? null,
    } as never, r.at[0], r.at[1]);
    if (r.rating !== undefined) await db.insertInto('ratings').values({ report_id: report.id, satisfied: r.rating }).execute();
    if (r.reopenedAt) {
      await db.insertInto('report_events').values({ report_id: report.id, type: 'reopened', from_status: 'resolved', to_status: 'reopened', created_at: r.reopenedAt }).execute();
    }
  }
  return { field, unitId, q: { field: [field], from: '2026-03-01', to: '2026-03-08' } };
}

for (const engine of ENGINES) {
  describe(`console statistics [${engine}]`, () => {
    it('computes every summary metric of the hand-built month exactly', async () => {
      const db = await testDb(engine);
      const { q, field } = await seedMonth(db);
      const s = await summary(db, q, NOW);
      expect(s.by_field).toEqual({ [field]: 5 });
      // Open and overdue are the whole backlog now: B (received before the window) and D (after it) count.
      expect(s).toMatchObject({
        total: 5, received: 5, open: 4, overdue: 3, overdue_30_plus: 0, worst_days_late: 7, resolved: 3, no_deadline: 0, reopened: 1,
        on_time_rate: 0.6667, median_handling_hours: 20, rated: 2, satisfied_rate: 0.5,
        by_status: { resolved: 1, assigned: 1, closed: 2, in_progress: 1, received: 0 },
      });
      expect(s.on_time).toEqual({ n: 3, rate: 0.6667, low: expect.any(Number), high: expect.any(Number), enough: false });
      const speed = (0.5 + (1 - 72 / 96) + (1 - 20 / 144)) / 3;
      expect(s.components.speed).toBeCloseTo(speed, 6);
      expect(s.components.not_reopened).toBeCloseTo(2 / 3, 6);
      const index = 100 * (0.35 * (2 / 3) + 0.3 * 0.5 + 0.2 * speed + 0.15 * (2 / 3));
      expect(s.satisfaction_index).toBeCloseTo(index, 1);
      expect(s.previous).toMatchObject({ from: '2026-02-22', to: '2026-03-01', total: 1 });
      expect(s.change.total).toBe(4);
    });

    it('sums children to parents at every area level, and hexes to the summary', async () => {
      const db = await testDb(engine);
      const { q } = await seedMonth(db);
      const wards = await areaStats(db, 'ward', '643', q, NOW);
      expect(wards.find((w) => w.code === '24133')).toMatchObject({ total: 4, open: 4, overdue: 3 });
      expect(wards.find((w) => w.code === '24163')).toMatchObject({ total: 1, on_time_rate: 1, median_handling_hours: 20 });
      const districts = await areaStats(db, 'district', undefined, q, NOW);
      expect(districts).toHaveLength(24);
      const bmt = districts.find((d) => d.code === '643')!;
      expect(bmt.total).toBe(wards.reduce((n, w) => n + w.total, 0));
      const total = (await summary(db, q, NOW)).total;
      expect(districts.reduce((n, d) => n + d.total, 0)).toBe(total);
      expect(districts.reduce((n, d) => n + d.overdue, 0)).toBe(3);
      for (const res of [5, 6, 7, 8, 9] as const) {
        const hexes = await hexStats(db, res, undefined, q, NOW);
        expect(hexes.reduce((n, h) => n + h.count, 0), `res ${res}`).toBe(total);
      }
      const inWard = await summary(db, { ...q, area: '24163' }, NOW);
      expect(inWard.total).toBe(1);
    });

    it('buckets time in Asia/Ho_Chi_Minh: days, weekdays and hours', async () => {
      const db = await testDb(engine);
      const { q } = await seedMonth(db);
      const days = await timeseries(db, 'day', q, NOW);
      expect(days).toEqual([
        { bucket: '2026-03-01', received: 1, resolved: 1 },
        { bucket: '2026-03-02', received: 1, resolved: 0 },
        { bucket: '2026-03-03', received: 1, resolved: 0 },
        { bucket: '2026-03-04', received: 1, resolved: 0 },
        { bucket: '2026-03-05', received: 0, resolved: 2 },
        // Every day is present, empty ones as zeros.
        { bucket: '2026-03-06', received: 0, resolved: 0 },
        { bucket: '2026-03-07', received: 1, resolved: 0 },
      ]);
      const grid = (await hourWeekday(db, q, NOW)).grid;
      expect(grid[6][0]).toBe(1); // A: Sunday 00:00 local
      expect(grid[5][23]).toBe(1); // C: Saturday 23:59 local
      expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(5);
    });

    it('ages the backlog, lists the worst overdue and ranks units', async () => {
      const db = await testDb(engine);
      const { q, unitId } = await seedMonth(db);
      const buckets = await aging(db, q, NOW);
      // The whole backlog: G not due; C and D under 3 days late; B 7.3 days late.
      expect(buckets).toEqual([
        { bucket: 'not_due', count: 1 }, { bucket: 'late_0_3', count: 2 }, { bucket: 'late_3_7', count: 0 },
        { bucket: 'late_7_30', count: 1 }, { bucket: 'late_30_plus', count: 0 },
      ]);
      const worst = await worstOverdue(db, q, 10, NOW);
      expect(worst.map((w) => w.days_late)).toEqual([7, 1, 0]);
      const units = await unitStats(db, q, NOW);
      expect(units.find((u) => u.id === unitId)).toMatchObject({ total: 5, on_time_rate: 0.6667 });
    });

    it('serves the endpoints to staff only, validates filters and encodes points in binary', async () => {
      const db = await testDb(engine);
      const { field } = await seedMonth(db);
      const { app } = testApp(db, { WALL_TOKEN: 'w'.repeat(32) });
      expect((await app.request('/api/stats/summary')).status).toBe(401);
      const leader = await loginAs(app, await createStaff(db, 'leader'));
      const ok = await leader.request(`/api/stats/summary?field=${field}&from=2026-03-01&to=2026-03-08`);
      expect(ok.status).toBe(200);
      expect((await ok.json()).total).toBe(5);
      const wall = await app.request(`/api/stats/summary?field=${field}&from=2026-03-01&to=2026-03-08&display_token=${'w'.repeat(32)}`);
      expect((await wall.json()).total).toBe(5);
      expect((await app.request(`/api/stats/summary?display_token=${'x'.repeat(32)}`)).status).toBe(401);
      for (const bad of ['from=2026-03-08&to=2026-03-01', 'from=2026-02-30', 'area=99999', 'status=lost']) {
        const res = await leader.request(`/api/stats/summary?${bad}`);
        expect(res.status, bad).toBe(400);
        expect((await res.json()).error.code).toBe('validation_failed');
      }
      expect((await leader.request('/api/stats/hexes?res=10')).status).toBe(400);
      const points = await leader.request(`/api/stats/points?field=${field}&from=2026-03-01&to=2026-03-08&bbox=108,12.6,108.1,12.75`);
      expect(points.headers.get('content-type')).toBe('application/octet-stream');
      const buf = Buffer.from(await points.arrayBuffer());
      const n = buf.readUInt32LE(0);
      expect(n).toBe(5);
      expect(buf.length).toBe(4 + n * 18);
      const lon = buf.readFloatLE(4);
      expect(lon).toBeGreaterThan(108);
      const statuses = points.headers.get('x-statuses')!.split(',');
      const decoded = Array.from({ length: n }, (_, i) => statuses[buf[4 + n * 8 + i]]);
      expect(decoded.sort()).toEqual(['assigned', 'closed', 'closed', 'in_progress', 'resolved']);
    });
  });
}
