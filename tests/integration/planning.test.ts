import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../server/db/engine.js';
import { findTileMvt } from '../../server/db/planning.repo.js';
import { DEMO_BBOX, DEMO_DETAILED_SOURCE, ensureDemoPlan } from '../../server/services/planning-demo.js';
import { encodePlanningTile, encodeTileInJs } from '../../server/services/planning-tiles.js';
import { lngLatToTile } from '../../spatial/tile-bounds.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createPlan, decodeTile, ownSpot, square } from './planning-helpers.js';

const BMT = { lat: 12.6667, lon: 108.0383 };

for (const engine of ENGINES) {
  describe(`planning lookup [${engine}]`, () => {
    it('seeds the demo plans once, with several hundred zones marked demo', async () => {
      const db = await testDb(engine);
      await ensureDemoPlan(db);
      expect(await ensureDemoPlan(db)).toBe(0);
      const plan = await db.selectFrom('plans').selectAll().where('source', '=', DEMO_DETAILED_SOURCE).executeTakeFirstOrThrow();
      expect(plan.is_demo).toBe(true);
      expect(plan.name).toMatch(/MẪU/);
      const { rows } = await sql<{ n: number; codes: number; invalid: number }>`
        select count(*)::int as n, count(distinct land_use_code)::int as codes,
               count(*) filter (where not ST_IsValid(geom))::int as invalid
        from planning_zones where plan_id = ${plan.id}`.execute(db);
      expect(rows[0].n).toBeGreaterThan(300);
      expect(rows[0].n).toBeLessThan(1500);
      expect(rows[0].codes).toBeGreaterThanOrEqual(10);
      expect(rows[0].invalid).toBe(0);
    });

    it('answers central Buôn Ma Thuột with the detailed demo zone first, then the general plan', async () => {
      const db = await testDb(engine);
      await ensureDemoPlan(db);
      const { app } = testApp(db);
      // The middle of the first block north-east of the grid's centre street crossing.
      const lon = (DEMO_BBOX[0] + DEMO_BBOX[2]) / 2 + 0.0004;
      const lat = (DEMO_BBOX[1] + DEMO_BBOX[3]) / 2 + 0.0004;
      const res = await app.request(`/api/planning/lookup?lat=${lat}&lon=${lon}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.point).toEqual({ lat, lon });
      expect(body.ward.code).toBe('24133');
      expect(body.district.code).toBe('643');
      expect(body.demo).toBe(true);
      expect(body.message).toBeNull();
      expect(body.disclaimer.vi).toMatch(/Văn phòng đăng ký đất đai/);
      const levels = body.zones.map((z: { plan: { level: string } }) => z.plan.level);
      expect(levels[0]).toBe('detailed');
      expect(levels).toContain('general');
      const [first] = body.zones;
      expect(first.plan.demo).toBe(true);
      expect(first.land_use.code).toMatch(/^[A-Z]{3}$/);
      expect(first.land_use.name).toBeTruthy();
      expect(first.plan.decision_number).toBe('DEMO-QHCT-01');
      expect(first.plan.decision_date).toBe('2025-07-01');
      expect(Object.keys(first.limits).sort()).toEqual(['density_pct', 'far', 'max_floors', 'max_height_m', 'min_lot_m2']);
    });

    it('returns both zones for a point on their shared boundary, and one inside each', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const { lon, lat, size } = ownSpot();
      const mid = lon + size / 2;
      await createPlan(db, 'detailed', [
        { land_use_code: 'ODT', label: 'west', max_floors: 5, density_pct: 80, far: 4, min_lot_m2: 50, notes: 'Nhà liên kế', geometry: square(lon, lat, mid, lat + size) },
        { land_use_code: 'DGD', label: 'east', max_floors: 4, geometry: square(mid, lat, lon + size, lat + size) },
      ]);
      const at = async (x: number, y: number) => (await (await app.request(`/api/planning/lookup?lat=${y}&lon=${x}`)).json()).zones;
      const onEdge = await at(mid, lat + size / 2);
      expect(onEdge.map((z: { land_use: { code: string } }) => z.land_use.code).sort()).toEqual(['DGD', 'ODT']);
      const west = await at(lon + size / 4, lat + size / 2);
      expect(west).toHaveLength(1);
      expect(west[0]).toMatchObject({
        label: 'west', notes: 'Nhà liên kế',
        land_use: { code: 'ODT', name: 'Đất ở tại đô thị', name_en: 'Urban residential land' },
        limits: { max_floors: 5, density_pct: 80, far: 4, min_lot_m2: 50, max_height_m: null },
      });
      const east = await at(lon + (3 * size) / 4, lat + size / 2);
      expect(east.map((z: { label: string }) => z.label)).toEqual(['east']);
    });

    it('lists a point covered by a general and a detailed plan with the detailed one first', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const { lon, lat, size } = ownSpot();
      // The general plan is created last, so id order alone would put it first.
      await createPlan(db, 'detailed', [{ land_use_code: 'TMD', max_floors: 9, geometry: square(lon, lat, lon + size / 2, lat + size / 2) }], 'QHCT thử');
      await createPlan(db, 'general', [{ land_use_code: 'ODT', geometry: square(lon, lat, lon + size, lat + size) }], 'QHC thử');
      const body = await (await app.request(`/api/planning/lookup?lat=${lat + size / 4}&lon=${lon + size / 4}`)).json();
      expect(body.zones.map((z: { plan: { name: string; level: string } }) => [z.plan.level, z.plan.name])).toEqual([
        ['detailed', 'QHCT thử'], ['general', 'QHC thử'],
      ]);
      expect(body.zones[0].plan).toMatchObject({ decision_date: '2024-05-20', scale: '1:500', status: 'in_force', demo: false });
    });

    it('answers a point in the province without plans with an empty list and a message', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/planning/lookup?lat=13.09&lon=109.29');
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.zones).toEqual([]);
      expect(body.ward.code).toBe('22015');
      expect(body.message.vi).toMatch(/Chưa có dữ liệu quy hoạch/);
      expect(body.message.en).toMatch(/No planning data/);
    });

    it('refuses a point outside Đắk Lắk with 422 and bad coordinates with 400', async () => {
      const { app } = testApp(await testDb(engine));
      const outside = await app.request('/api/planning/lookup?lat=21.0285&lon=105.8542');
      expect(outside.status).toBe(422);
      expect((await outside.json()).error.code).toBe('outside_region');
      const bad = await app.request('/api/planning/lookup?lat=abc&lon=300');
      expect(bad.status).toBe(400);
      const body = await bad.json();
      expect(body.error.code).toBe('validation_failed');
      expect(Object.keys(body.error.fields).sort()).toEqual(['lat', 'lon']);
      expect((await app.request('/api/planning/lookup?lat=12.6')).status).toBe(400);
    });

    it('serves the land-use legend and the plan list', async () => {
      const db = await testDb(engine);
      await ensureDemoPlan(db);
      const { app } = testApp(db);
      const legend = (await (await app.request('/api/planning/land-uses')).json()).land_uses;
      const codes = legend.map((c: { code: string }) => c.code);
      for (const code of ['ODT', 'ONT', 'TMD', 'SKC', 'DGT', 'DTL', 'DVH', 'DYT', 'DGD', 'DTT', 'CLN', 'LUA', 'RSX', 'RPH', 'NTD', 'SON', 'MNC', 'CQP']) {
        expect(codes).toContain(code);
      }
      expect(legend.every((c: { color: string; name_vi: string; name_en: string }) => /^#[0-9A-Fa-f]{6}$/.test(c.color) && c.name_vi && c.name_en)).toBe(true);
      const plans = (await (await app.request('/api/planning/plans')).json()).plans;
      const demo = plans.find((p: { source: string }) => p.source === DEMO_DETAILED_SOURCE);
      expect(demo).toMatchObject({ demo: true, level: 'detailed' });
      expect(demo.bbox[0]).toBeCloseTo(DEMO_BBOX[0], 4);
    });
  });

  describe(`planning tiles [${engine}]`, () => {
    const centre = lngLatToTile([BMT.lon, BMT.lat], 15);

    it('serves a tile that decodes to planning zones, with ETag, Cache-Control and 304', async () => {
      const db = await testDb(engine);
      await ensureDemoPlan(db);
      const { app } = testApp(db);
      const path = `/tiles/planning/${centre.z}/${centre.x}/${centre.y}.mvt`;
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^".+"$/);
      const layers = decodeTile(await res.arrayBuffer());
      expect(Object.keys(layers)).toEqual(['planning']);
      const features = layers.planning;
      expect(features.length).toBeGreaterThan(10);
      expect(features.every((f) => f.type === 3 && typeof f.id === 'number')).toBe(true);
      expect(features.some((f) => f.properties.level === 'detailed' && f.properties.demo === true)).toBe(true);
      expect(features[0].properties).toMatchObject({ code: expect.stringMatching(/^[A-Z]{3}$/), color: expect.stringMatching(/^#/) });
      const again = await app.request(path, { headers: { 'If-None-Match': etag } });
      expect(again.status).toBe(304);
      const cold = await app.request(`${path}?cache=off`);
      expect(cold.headers.get('etag')).toBe(etag);
    });

    it('answers an empty tile far from any plan with an empty 200 body', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/tiles/planning/14/0/0.mvt');
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });

    it('refuses tile addresses out of range with 400', async () => {
      const { app } = testApp(await testDb(engine));
      for (const path of ['/tiles/planning/3/8/0.mvt', '/tiles/planning/3/0/8.mvt', '/tiles/planning/25/0/0.mvt', '/tiles/planning/a/0/0.mvt', '/tiles/planning/3/0/0.png', '/tiles/planning/3/0/0.mvt?cache=maybe']) {
        const res = await app.request(path);
        expect(res.status, path).toBe(400);
        const body = await res.json();
        expect(body.error.code).toBe('validation_failed');
        expect(JSON.stringify(body)).not.toMatch(/at .*\.ts/);
      }
    });

    it('holds the per-tile feature cap, keeping the most detailed plan', async () => {
      const db = await testDb(engine);
      await ensureDemoPlan(db);
      const tile = lngLatToTile([BMT.lon, BMT.lat], 13);
      const full = decodeTile(await encodePlanningTile(db, tile)).planning;
      expect(full.length).toBeGreaterThan(20);
      const capped = decodeTile(await encodePlanningTile(db, tile, 20)).planning;
      expect(capped).toHaveLength(20);
      expect(capped.every((f) => f.properties.level === 'detailed')).toBe(true);
    });

    it('drops cached tiles when a plan is added', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const { lon, lat, size } = ownSpot();
      const t = lngLatToTile([lon + size / 2, lat + size / 2], 16);
      const path = `/tiles/planning/${t.z}/${t.x}/${t.y}.mvt`;
      const before = await app.request(path);
      const { importPlanning } = await import('../../server/services/planning-import.js');
      await importPlanning(db, { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'DTT' }, geometry: square(lon, lat, lon + size, lat + size) }] }, { plan: { name: 'Cache test' } });
      const after = await app.request(path);
      expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
      expect(decodeTile(await after.arrayBuffer()).planning.some((f) => f.properties.code === 'DTT')).toBe(true);
    });

    it('encodes the same features natively (ST_AsMVT) and in JS (geojson-vt + vt-pbf)', async (ctx) => {
      const db = await testDb(engine);
      if (!(await capabilitiesOf(db)).asMvt) ctx.skip();
      await ensureDemoPlan(db);
      for (const z of [12, 14, 16]) {
        const t = lngLatToTile([BMT.lon + 0.003, BMT.lat + 0.002], z);
        const native = decodeTile(await findTileMvt(db, t.z, t.x, t.y, 2000)).planning;
        const js = decodeTile(await encodeTileInJs(db, t, 2000)).planning;
        const key = (f: { id: number | undefined; properties: object }) => JSON.stringify([f.id, f.properties]);
        expect(js.map(key).sort(), `z${z}`).toEqual(native.map(key).sort());
        const nativeById = new Map(native.map((f) => [f.id, f]));
        // Compare the visible part: the encoders may keep different slivers inside the 64 px buffer.
        for (const f of js) {
          const n = nativeById.get(f.id)!;
          expect(f.visibleBbox === null, `z${z} feature ${f.id}`).toBe(n.visibleBbox === null);
          for (let i = 0; i < 4 && f.visibleBbox && n.visibleBbox; i++) {
            expect(Math.abs(f.visibleBbox[i] - n.visibleBbox[i]), `z${z} feature ${f.id}`).toBeLessThanOrEqual(2);
          }
        }
      }
    });
  });
}
