import { describe, expect, it } from 'vitest';
import { insertReport } from '../../server/db/reports.repo.js';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField } from './factories.js';

// West, south, east, north. `&&` compares float4 boxes, rounded outwards
// (about 8e-6° at these coordinates), so points a micro-degree outside the
// edges passed it.
const BBOX = [108.03, 12.66, 108.04, 12.6675] as const;
const POINTS: Record<string, [number, number]> = {
  'out east': [108.040001, 12.664],
  'out west': [108.029999, 12.664],
  'out north': [108.035, 12.667501],
  'out south': [108.035, 12.659999],
  'in east': [108.039999, 12.664],
  'in west': [108.030001, 12.664],
  'in north': [108.035, 12.667499],
  'in south': [108.035, 12.660001],
  'on the north-east corner': [108.04, 12.6675],
  'on the south-west corner': [108.03, 12.66],
};
const INSIDE = Object.keys(POINTS).filter((name) => !name.startsWith('out')).sort();

for (const engine of ENGINES) {
  describe(`bounding-box filters at the edges [${engine}]`, () => {
    it('list, count and Open311 keep a point just inside or on the edge and drop one a micro-degree outside', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
      const nameByCode = new Map<string, string>();
      for (const [name, [lon, lat]] of Object.entries(POINTS)) {
        const code = `B${Math.random().toString(36).slice(2, 9).toUpperCase()}`;
        await insertReport(db, {
          code, field_code: field, title: name, description: name, ...h3CellsForPoint([lon, lat]), ward_id: ward.id, district_id: ward.parent_id!,
        } as never, lon, lat);
        nameByCode.set(code, name);
      }
      const names = (codes: string[]) => codes.map((c) => nameByCode.get(c)).sort();

      const list = await (await app.request(`/api/reports?field=${field}&bbox=${BBOX}&limit=50`)).json();
      expect(names(list.features.map((f: { id: string }) => f.id))).toEqual(INSIDE);
      const count = await (await app.request(`/api/reports/count?field=${field}&bbox=${BBOX}`)).json();
      expect(count.count).toBe(INSIDE.length);
      const open311 = await (await app.request(`/open311/v2/requests.json?service_code=${field}&bbox=${BBOX}`)).json();
      expect(names(open311.map((r: { service_request_id: string }) => r.service_request_id))).toEqual(INSIDE);
    });
  });
}
