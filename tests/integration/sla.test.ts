import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import { REPORT_STATUSES, SLA_STATES, type ReportStatus, type SlaState } from '../../server/domain/statuses.js';
import { insertReport } from '../../server/db/reports.repo.js';
import { listStaffReports } from '../../server/db/staff-reports.repo.js';
import { slaSql } from '../../server/db/status-sql.js';
import { mulberry32 as prng } from '../../server/services/seed/prng.js';
import { slaState } from '../../server/services/sla.js';
import { ENGINES, testDb } from './context.js';
import { createField } from './factories.js';

const H = 3_600_000;
const AT: [number, number] = [108.0383, 12.6667];

/**
 * The deadline rule is written once in TypeScript (services/sla.ts) and once
 * in SQL (db/status-sql.ts, and the inbox filter's predicates): the three
 * must give every report the same state, including at the thresholds.
 */
for (const engine of ENGINES) {
  describe(`deadline state [${engine}]`, () => {
    it('is the same in TypeScript, in the SQL expression and in the inbox filter, for 300 reports', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
      const now = new Date('2026-06-15T03:00:00Z');
      const rnd = prng(2026);
      const expected = new Map<string, SlaState>();
      for (let i = 0; i < 300; i++) {
        const status = REPORT_STATUSES[Math.floor(rnd() * REPORT_STATUSES.length)] as ReportStatus;
        const allotted = (1 + Math.floor(rnd() * 96)) * H;
        // Elapsed from 0 to 4× the allotted time, with some exactly on the due-soon and 3× thresholds.
        const edge = rnd();
        const elapsed = edge < 0.1 ? 0.8 * allotted : edge < 0.2 ? 3 * allotted : Math.floor(rnd() * 4 * allotted);
        const created = new Date(now.getTime() - elapsed);
        const due = rnd() < 0.1 ? null : new Date(created.getTime() + allotted);
        const finished = status === 'resolved' || status === 'closed';
        const resolved = finished || (rnd() < 0.2 && status !== 'received') ? new Date(created.getTime() + Math.floor(rnd() * 2 * allotted)) : null;
        const report = await insertReport(db, {
          code: `S${Math.random().toString(36).slice(2, 9).toUpperCase()}`, field_code: field, title: 'sla', description: 'sla', status,
          ...h3CellsForPoint(AT), ward_id: ward.id, district_id: ward.parent_id!, created_at: created, due_at: due, resolved_at: resolved,
        } as never, AT[0], AT[1]);
        expected.set(report.id, slaState({ status, created_at: created, due_at: due, resolved_at: resolved }, now));
      }

      const { rows } = await sql<{ id: string; sla: SlaState }>`
        select r.id::text as id, ${slaSql(now)} as sla from reports r where r.field_code = ${field}`.execute(db);
      const sqlDisagrees = rows.filter((r) => expected.get(r.id) !== r.sla).map((r) => `${r.id}: ${r.sla} vs ${expected.get(r.id)}`);
      expect(sqlDisagrees).toEqual([]);

      for (const state of SLA_STATES) {
        const listed = await listStaffReports(db, {
          scope: { allUnits: true, unitId: null, held: true }, fields: [field], sla: [state], sort: 'created', limit: 1000, now,
        });
        const want = [...expected].filter(([, s]) => s === state).map(([id]) => id).sort();
        expect(listed.map((r) => String(r.id)).sort(), state).toEqual(want);
      }
      // Every state occurs, so no branch of the three went untested.
      expect(new Set(expected.values())).toEqual(new Set(SLA_STATES));
    });
  });
}
