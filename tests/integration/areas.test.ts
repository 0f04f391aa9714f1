import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, testApp, testDb } from './context.js';

for (const engine of ENGINES) {
  describe(`areas [${engine}]`, () => {
    it('resolves central Buôn Ma Thuột to its ward, former district and province', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/areas/at?lat=12.6667&lon=108.0383');
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.ward).toEqual({ code: '24133', name_vi: 'Buôn Ma Thuột', name_en: 'Buon Ma Thuot' });
      expect(body.district).toMatchObject({ code: '643', name_vi: 'Buôn Ma Thuột (cũ)', name_en: 'Buôn Ma Thuột (former city)' });
      expect(body.province).toMatchObject({ code: '66', name_vi: 'Đắk Lắk' });
    });

    it('resolves Tuy Hoà on the coast to the former Tuy Hòa city', async () => {
      const { app } = testApp(await testDb(engine));
      const body = await (await app.request('/api/areas/at?lat=13.09&lon=109.29')).json();
      expect(body.ward.code).toBe('22015');
      expect(body.district.code).toBe('555');
    });

    it('answers 422 outside_region for a point outside the province (Hà Nội), as a report posted there gets', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/areas/at?lat=21.0285&lon=105.8542');
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe('outside_region');
    });

    it('rejects bad coordinates with a message per field', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/areas/at?lat=abc&lon=200', { headers: { 'Accept-Language': 'en' } });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.fields.lat).toMatch(/lat/);
      expect(body.error.fields.lon).toMatch(/between -180 and 180/);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts/);
    });

    it('lists the 24 former districts and the wards of one district as GeoJSON', async () => {
      const { app } = testApp(await testDb(engine));
      const districts = await (await app.request('/api/areas?level=district&zoom=7')).json();
      expect(districts.type).toBe('FeatureCollection');
      expect(districts.features).toHaveLength(24);
      expect(districts.features[0].geometry.type).toBe('MultiPolygon');
      const wards = await (await app.request('/api/areas?level=ward&parent=643&zoom=12')).json();
      const codes = wards.features.map((f: { properties: { code: string } }) => f.properties.code);
      expect(codes).toContain('24133');
      expect(codes).not.toContain('22015');
      expect(wards.features.every((f: { properties: { parent: string } }) => f.properties.parent === '643')).toBe(true);
      const all = await (await app.request('/api/areas?level=ward&parent=66')).json();
      expect(all.features).toHaveLength(102);
    });

    it('serves fewer vertices at low zoom than at high zoom', async () => {
      const { app } = testApp(await testDb(engine));
      const low = await (await app.request('/api/areas?level=ward&parent=643&zoom=6')).text();
      const full = await (await app.request('/api/areas?level=ward&parent=643&zoom=14')).text();
      expect(low.length).toBeLessThan(full.length / 3);
    });

    it('rejects an unknown parent and a parent at the wrong level', async () => {
      const { app } = testApp(await testDb(engine));
      expect((await app.request('/api/areas?level=ward&parent=99999')).status).toBe(404);
      const res = await app.request('/api/areas?level=district&parent=24133');
      expect(res.status).toBe(400);
      expect((await res.json()).error.fields.parent).toBeTruthy();
      expect((await app.request('/api/areas?level=county')).status).toBe(400);
    });

    it('nests exactly: 102 wards in 24 districts in one province, areas adding up', async () => {
      const db = await testDb(engine);
      const { rows } = await sql<{ level: string; n: number; km2: number; orphans: number }>`
        select a.level, count(*)::int as n, sum(a.area_km2)::float8 as km2,
               count(*) filter (where a.level <> 'province' and p.id is null)::int as orphans
        from admin_areas a left join admin_areas p on p.id = a.parent_id
        group by a.level order by a.level`.execute(db);
      const byLevel = Object.fromEntries(rows.map((r) => [r.level, r]));
      expect(byLevel.ward.n).toBe(102);
      expect(byLevel.district.n).toBe(24);
      expect(byLevel.province.n).toBe(1);
      expect(byLevel.ward.orphans + byLevel.district.orphans).toBe(0);
      expect(byLevel.district.km2).toBeCloseTo(byLevel.ward.km2, 3);
      expect(byLevel.province.km2).toBeCloseTo(byLevel.ward.km2, 3);
      // Every ward lies inside its district (union), checked in PostGIS.
      const { rows: outside } = await sql<{ n: number }>`
        select count(*)::int as n from admin_areas w join admin_areas d on d.id = w.parent_id
        where w.level = 'ward' and not ST_Covers(d.geom, ST_PointOnSurface(w.geom))`.execute(db);
      expect(outside[0].n).toBe(0);
    });
  });
}
