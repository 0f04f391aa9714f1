import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import type { Database } from '../../server/db/database.js';
import { insertOutbox } from '../../server/db/outbox.repo.js';
import { insertReport, insertReportEvent } from '../../server/db/reports.repo.js';
import { createLogger } from '../../server/log.js';
import { LiveEvents, type LiveEvent } from '../../server/services/live-events.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createStaff, createUnit, loginAs } from './factories.js';

/**
 * Held reports (needs_review: possibly spam) stay out of the wall, the live
 * stream and every public or leader figure until a dispatcher releases them;
 * dispatchers see how many wait ("held for review").
 */
const WALL_TOKEN = 'wall-display-token-for-held-tests-0001';
const BBOX = '107.9,12.5,108.2,12.8';
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const newCode = () => Array.from(crypto.randomBytes(8), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
const H = 3_600_000;

/** An open report of unit `unitId`, two days old and an hour past its deadline, held or not. */
async function seedReport(db: Kysely<Database>, field: string, unitId: number, held: boolean) {
  const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
  const code = newCode();
  const now = Date.now();
  const row = await insertReport(db, {
    code, field_code: field, title: held ? 'Held report' : 'Visible report', description: 'Ổ gà', status: 'assigned',
    ...h3CellsForPoint([BMT.lon, BMT.lat]), ward_id: ward.id, district_id: ward.parent_id!, unit_id: unitId, needs_review: held,
    created_at: new Date(now - 48 * H), assigned_at: new Date(now - 48 * H), due_at: new Date(now - H),
  } as never, BMT.lon, BMT.lat);
  await insertReportEvent(db, { report_id: row.id, type: 'assigned', from_status: 'received', to_status: 'assigned', public: true, unit_id: unitId });
  return { code, id: row.id };
}

/** The report count of every statistics endpoint for one field, and whether a code shows up anywhere. */
async function figures(request: (path: string) => Response | Promise<Response>, field: string) {
  const json = async (path: string) => {
    const res = await request(path);
    expect(res.status, path).toBe(200);
    return res.json();
  };
  const summary = await json(`/api/stats/summary?field=${field}`);
  const areas: { total: number }[] = await json(`/api/stats/areas?level=ward&field=${field}`);
  const units: { total: number }[] = await json(`/api/stats/units?field=${field}`);
  const hexes: { count: number; overdue: number }[] = await json(`/api/stats/hexes?res=7&field=${field}`);
  const series: { received: number }[] = await json(`/api/stats/timeseries?interval=day&field=${field}`);
  const grid: { grid: number[][] } = await json(`/api/stats/hour-weekday?field=${field}`);
  const aging: { count: number }[] = await json(`/api/stats/aging?field=${field}`);
  const overdue: { code: string }[] = await json(`/api/stats/overdue?field=${field}`);
  const points = Buffer.from(await (await request(`/api/stats/points?bbox=${BBOX}&field=${field}`)).arrayBuffer());
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    summary: summary.total as number,
    open: summary.open as number,
    overdue: summary.overdue as number,
    areas: sum(areas.map((a) => a.total)),
    units: sum(units.map((u) => u.total)),
    hexes: sum(hexes.map((h) => h.count)),
    hexOverdue: sum(hexes.map((h) => h.overdue)),
    series: sum(series.map((s) => s.received)),
    hourWeekday: sum(grid.grid.flat()),
    aging: sum(aging.map((a) => a.count)),
    worst: overdue.map((o) => o.code).sort(),
    points: points.readUInt32LE(0),
    pointCodes: points.toString('latin1'),
  };
}

for (const engine of ENGINES) {
  describe(`held reports [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const { app } = testApp(db, { WALL_TOKEN });
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const leader = await loginAs(app, await createStaff(db, 'leader'));
      const dispatcher = await loginAs(app, await createStaff(db, 'dispatcher'));
      const officer = await loginAs(app, await createStaff(db, 'officer', unitId));
      return { db, app, field, unitId, leader, dispatcher, officer };
    }

    it('count in no statistic, for leaders or the wall, until a dispatcher releases them', async () => {
      const ctx = await setup();
      const visible = [await seedReport(ctx.db, ctx.field, ctx.unitId, false), await seedReport(ctx.db, ctx.field, ctx.unitId, false)];
      const held = await seedReport(ctx.db, ctx.field, ctx.unitId, true);
      const visibleCodes = visible.map((v) => v.code).sort();
      const expectTwo = (f: Awaited<ReturnType<typeof figures>>) => {
        expect(f).toMatchObject({ summary: 2, open: 2, overdue: 2, areas: 2, units: 2, hexes: 2, hexOverdue: 2, series: 2, hourWeekday: 2, aging: 2, points: 2, worst: visibleCodes });
        expect(f.pointCodes).not.toContain(held.code);
      };
      expectTwo(await figures((p) => ctx.leader.request(p), ctx.field));
      expectTwo(await figures((p) => ctx.app.request(p, { headers: { 'X-Display-Token': WALL_TOKEN } }), ctx.field));
      // Figures are the same for everyone: a dispatcher sees held reports in the inbox, not in the statistics.
      expectTwo(await figures((p) => ctx.dispatcher.request(p), ctx.field));

      // Releasing it (a dispatcher assigns it) adds it everywhere, through the rollup trigger.
      const release = await ctx.dispatcher.request(`/api/staff/reports/${held.code}/actions`, { json: { action: 'assign', unit_id: ctx.unitId } });
      expect(release.status).toBe(200);
      const after = await figures((p) => ctx.leader.request(p), ctx.field);
      expect(after).toMatchObject({ summary: 3, open: 3, overdue: 3, areas: 3, units: 3, hexes: 3, hexOverdue: 3, series: 3, hourWeekday: 3, aging: 3, points: 3 });
      expect(after.worst).toEqual([...visibleCodes, held.code].sort());
    });

    it('stay out of the live event stream; the release shows on it', async () => {
      const ctx = await setup();
      const live = new LiveEvents(ctx.db, createLogger('silent'), 40);
      const seen: LiveEvent[] = [];
      const unsubscribe = live.subscribe((e) => seen.push(e));
      try {
        // The first poll only finds where the outbox ends.
        await new Promise((r) => setTimeout(r, 200));
        const held = await seedReport(ctx.db, ctx.field, ctx.unitId, true);
        await insertOutbox(ctx.db, { type: 'report.created', reportId: held.id, unitId: ctx.unitId, payload: { code: held.code, needs_review: true } });
        const visible = await seedReport(ctx.db, ctx.field, ctx.unitId, false);
        await insertOutbox(ctx.db, { type: 'report.created', reportId: visible.id, unitId: ctx.unitId, payload: { code: visible.code } });
        await expect.poll(() => seen.map((e) => e.code), { timeout: 5000 }).toContain(visible.code);
        expect(seen.map((e) => e.code)).not.toContain(held.code);

        expect((await ctx.dispatcher.request(`/api/staff/reports/${held.code}/actions`, { json: { action: 'assign', unit_id: ctx.unitId } })).status).toBe(200);
        await expect.poll(() => seen.filter((e) => e.code === held.code).map((e) => e.type), { timeout: 5000 }).toEqual(['report.assigned']);
      } finally {
        unsubscribe();
      }
    });

    it('are invisible to the public API', async () => {
      const ctx = await setup();
      const visible = await seedReport(ctx.db, ctx.field, ctx.unitId, false);
      const held = await seedReport(ctx.db, ctx.field, ctx.unitId, true);
      const list = await (await ctx.app.request(`/api/reports?bbox=${BBOX}&field=${ctx.field}`)).json();
      expect(JSON.stringify(list)).toContain(visible.code);
      expect(JSON.stringify(list)).not.toContain(held.code);
      expect((await (await ctx.app.request(`/api/reports/count?bbox=${BBOX}&field=${ctx.field}`)).json()).count).toBe(1);
      const nearby = await (await ctx.app.request(`/api/reports/nearby?lat=${BMT.lat}&lon=${BMT.lon}&field=${ctx.field}`)).text();
      expect(nearby).toContain(visible.code);
      expect(nearby).not.toContain(held.code);
      expect((await ctx.app.request(`/api/reports/${held.code}`)).status).toBe(404);
      expect((await ctx.app.request(`/open311/v2/requests/${held.code}.json`)).status).toBe(404);
    });

    it('are shown to dispatchers as "held for review", and to nobody else', async () => {
      const ctx = await setup();
      const before = (await (await ctx.dispatcher.request(`/api/staff/reports?field=${ctx.field}`)).json()).held_for_review;
      expect(typeof before).toBe('number');
      const held = await seedReport(ctx.db, ctx.field, ctx.unitId, true);
      const inbox = await (await ctx.dispatcher.request(`/api/staff/reports?field=${ctx.field}`)).json();
      expect(inbox.held_for_review).toBe(before + 1);
      expect(inbox.items.find((i: { code: string }) => i.code === held.code)?.needs_review).toBe(true);
      expect((await (await ctx.dispatcher.request(`/api/staff/reports/${held.code}`)).json()).needs_review).toBe(true);
      for (const s of [ctx.leader, ctx.officer]) {
        const other = await (await s.request(`/api/staff/reports?field=${ctx.field}`)).json();
        expect(other).not.toHaveProperty('held_for_review');
        expect(other.items.map((i: { code: string }) => i.code)).not.toContain(held.code);
        expect((await s.request(`/api/staff/reports/${held.code}`)).status).toBe(404);
      }
      // Released: no longer counted as waiting.
      await ctx.dispatcher.request(`/api/staff/reports/${held.code}/actions`, { json: { action: 'assign', unit_id: ctx.unitId } });
      expect((await (await ctx.dispatcher.request(`/api/staff/reports?field=${ctx.field}`)).json()).held_for_review).toBe(before);
    });
  });
}
