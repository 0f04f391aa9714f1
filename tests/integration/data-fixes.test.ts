import { cellToParent, latLngToCell } from 'h3-js';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { runPendingDataFixes } from '../../server/db/data-fixes.js';
import type { Database } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrate.js';
import { insertReport } from '../../server/db/reports.repo.js';
import { H3_RESOLUTIONS, h3ToInt8, type H3Cells } from '../../spatial/h3-cells.js';
import { ENGINES, testDb } from './context.js';
import { createField } from './factories.js';

// Points whose r9 cell has a parent (at the resolution named) that does not
// contain them: fixtures/spatial/h3-cells/in/parent-cell-outside-point.geojson.
const MISFILED: [number, number][] = [[108.903157, 12.419404], [107.968433, 11.986405], [107.980342, 12.429438], [108.821376, 13.282412]];
const CORRECT_AS_PARENTS: [number, number] = [108.0383, 12.6667];

/** The cells as the importer, the seed and the API stored them before sql/0014: parents of the r9 cell. */
function parentDerived([lng, lat]: [number, number]): H3Cells {
  const r9 = latLngToCell(lat, lng, 9);
  return Object.fromEntries(H3_RESOLUTIONS.map((res) => [`h3_r${res}`, h3ToInt8(cellToParent(r9, res))])) as unknown as H3Cells;
}

function containing([lng, lat]: [number, number]): H3Cells {
  return Object.fromEntries(H3_RESOLUTIONS.map((res) => [`h3_r${res}`, h3ToInt8(latLngToCell(lat, lng, res))])) as unknown as H3Cells;
}

async function insertWithCells(db: Kysely<Database>, field: string, point: [number, number], cells: H3Cells) {
  const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
  const report = await insertReport(db, {
    code: `H${Math.random().toString(36).slice(2, 9).toUpperCase()}`, field_code: field, title: 'h3', description: 'h3',
    ...cells, ward_id: ward.id, district_id: ward.parent_id!,
  } as never, point[0], point[1]);
  return report.id;
}

async function storedCells(db: Kysely<Database>, id: string) {
  return db.selectFrom('reports').select(['h3_r5', 'h3_r6', 'h3_r7', 'h3_r8', 'h3_r9']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** The transaction that last wrote the row: it changes on any UPDATE of it, even one that writes the same values. */
async function rowVersion(db: Kysely<Database>, id: string) {
  const { rows } = await sql<{ v: string }>`select xmin::text as v from reports where id = ${id}`.execute(db);
  return rows[0].v;
}

const stringCells = (cells: Record<string, unknown>) => Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, String(v)]));

for (const engine of ENGINES) {
  describe(`one-time data fixes [${engine}]`, () => {
    it('h3_cells_per_resolution: migrate() puts misfiled reports in the cells that contain them and leaves correct rows unwritten', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const misfiled = [];
      for (const point of MISFILED) misfiled.push({ point, id: await insertWithCells(db, field, point, parentDerived(point)) });
      for (const { point, id } of misfiled) expect(stringCells(await storedCells(db, id))).not.toEqual(containing(point));
      const correct = await insertWithCells(db, field, CORRECT_AS_PARENTS, containing(CORRECT_AS_PARENTS));
      const correctVersion = await rowVersion(db, correct);

      // What sql/0014 does on a database that has reports.
      await db.insertInto('pending_data_fixes').values({ name: 'h3_cells_per_resolution' }).execute();
      await migrate(db);

      for (const { point, id } of misfiled) expect(stringCells(await storedCells(db, id)), `[${point}]`).toEqual(containing(point));
      expect(await rowVersion(db, correct)).toBe(correctVersion);
      expect(await db.selectFrom('pending_data_fixes').selectAll().execute()).toEqual([]);
    });

    it('h3_cells_per_resolution: goes on after the last id it recorded, in batches, and can run again', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const ids = [];
      for (const point of MISFILED) ids.push(await insertWithCells(db, field, point, parentDerived(point)));
      // As if a run had stopped after the first of these reports.
      await db.insertInto('pending_data_fixes').values({ name: 'h3_cells_per_resolution', after_id: ids[0] }).execute();
      expect(await runPendingDataFixes(db, 2)).toEqual(['h3_cells_per_resolution']);
      expect(stringCells(await storedCells(db, ids[0]))).toEqual(parentDerived(MISFILED[0]));
      for (const [i, id] of ids.entries()) if (i > 0) expect(stringCells(await storedCells(db, id))).toEqual(containing(MISFILED[i]));

      await db.insertInto('pending_data_fixes').values({ name: 'h3_cells_per_resolution' }).execute();
      const version = await rowVersion(db, ids[1]);
      expect(await runPendingDataFixes(db)).toEqual(['h3_cells_per_resolution']);
      expect(stringCells(await storedCells(db, ids[0]))).toEqual(containing(MISFILED[0]));
      expect(await rowVersion(db, ids[1])).toBe(version);
    });

    it('stops the migration on a pending fix that no code knows', async () => {
      const db = await testDb(engine);
      await db.insertInto('pending_data_fixes').values({ name: 'no_such_fix' }).execute();
      try {
        await expect(migrate(db)).rejects.toThrow(/"no_such_fix", but no data fix is registered/);
      } finally {
        await db.deleteFrom('pending_data_fixes').where('name', '=', 'no_such_fix').execute();
      }
    });
  });
}
