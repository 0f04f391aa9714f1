import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { engineOf } from '../../server/db/engine.js';
import { SQL_DIR } from '../../server/db/migrate.js';
import { insertReport } from '../../server/db/reports.repo.js';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import { ENGINES, testDb } from './context.js';
import { BMT, createField } from './factories.js';

const H = 3_600_000;

async function newReport(db: Kysely<Database>, field: string, created: Date, due: Date | null) {
  const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
  const report = await insertReport(db, {
    code: `D${Math.random().toString(36).slice(2, 9).toUpperCase()}`, field_code: field, title: 'hạn', description: 'hạn', status: 'assigned',
    ...h3CellsForPoint([BMT.lon, BMT.lat]), ward_id: ward.id, district_id: ward.parent_id!, created_at: created, updated_at: created, due_at: due,
  } as never, BMT.lon, BMT.lat);
  return report.id;
}

for (const engine of ENGINES) {
  describe(`a deadline after the report was received [${engine}]`, () => {
    it('is required by the database on insert and on update', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const created = new Date('2025-03-10T02:00:00Z');
      await expect(newReport(db, field, created, new Date(created.getTime() - H))).rejects.toThrow(/reports_due_after_created/);
      await expect(newReport(db, field, created, created)).rejects.toThrow(/reports_due_after_created/);
      const id = await newReport(db, field, created, new Date(created.getTime() + 1));
      await expect(db.updateTable('reports').set({ due_at: created }).where('id', '=', id).execute()).rejects.toThrow(/reports_due_after_created/);
      await newReport(db, field, created, null);
    });

    it('sql/0015 clears a deadline that broke the rule, keeps it in the timeline, and leaves the report workable', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const created = new Date('2025-03-10T02:00:00Z');
      const broken = await newReport(db, field, created, new Date(created.getTime() + 5 * H));
      const fine = await newReport(db, field, created, new Date(created.getTime() + 5 * H));
      // The state before sql/0015, rebuilt: no constraint, and a report imported with its deadline an hour before it was received.
      const migration = fs.readFileSync(path.join(SQL_DIR, '0015_due_after_created.sql'), 'utf8');
      await engineOf(db).execScript(`BEGIN;
        ALTER TABLE reports DROP CONSTRAINT reports_due_after_created;
        UPDATE reports SET due_at = created_at - interval '1 hour' WHERE id = ${Number(broken)};
        ${migration}
        ;COMMIT;`);

      const rows = await db.selectFrom('reports').select(['id', 'due_at', 'updated_at']).where('field_code', '=', field).orderBy('id').execute();
      expect(rows.map((r) => [r.id, r.due_at?.toISOString() ?? null])).toEqual([[broken, null], [fine, '2025-03-10T07:00:00.000Z']]);
      expect(rows[0].updated_at.getTime()).toBeGreaterThan(created.getTime());
      expect(rows[1].updated_at.toISOString()).toBe(created.toISOString());
      const events = await db.selectFrom('report_events').select(['report_id', 'type', 'public', 'note', 'reason'])
        .where('report_id', 'in', [broken, fine]).execute();
      expect(events).toEqual([{
        report_id: broken, type: 'deadline_changed', public: false, note: '2025-03-10T01:00:00.000Z → —',
        reason: 'The deadline was not after the time the report was received (sql/0015)',
      }]);
      // A check left NOT VALID would still refuse this update of an old row that breaks it.
      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date() }).where('id', '=', broken).execute();
      await expect(db.updateTable('reports').set({ due_at: created }).where('id', '=', fine).execute()).rejects.toThrow(/reports_due_after_created/);
    });
  });
}
