import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { DomainError } from '../../server/errors.js';
import { importPlanning } from '../../server/services/planning-import.js';
import { ENGINES, testApp, testDb } from './context.js';
import { ownSpot, square } from './planning-helpers.js';

const victoria = () => JSON.parse(fs.readFileSync(new URL('../../fixtures/planning/victoria-zoning-crop.geojson', import.meta.url), 'utf8'));
const VICTORIA_CODES = { 'R*': 'ODT', 'C*': 'TMD', 'I*': 'SKC', 'S*': 'SKC', 'T*': 'TMD', 'P*': 'DCT', '*': 'PNK' };

async function counts(db: Kysely<Database>) {
  const { rows } = await sql<{ plans: number; zones: number }>`
    select (select count(*)::int from plans) as plans, (select count(*)::int from planning_zones) as zones`.execute(db);
  return rows[0];
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const feature = (geometry: unknown, properties: Record<string, unknown> = { code: 'ODT' }, id?: string) => ({ type: 'Feature', id, properties, geometry });

for (const engine of ENGINES) {
  describe(`planning importer [${engine}]`, () => {
    it('loads the real Victoria zoning crop with a property and code mapping', async () => {
      const db = await testDb(engine);
      const progress: number[] = [];
      const report = await importPlanning(db, victoria(), {
        plan: { name: `Victoria ${Date.now()}`, level: 'zoning', decision_number: '80-159', decision_date: '1981-01-01' },
        map: { code: 'Zoning', notes: 'Title', label: 'Zoning' },
        codes: VICTORIA_CODES,
        onProgress: (done) => progress.push(done),
      });
      expect(report.total).toBe(169);
      expect(report.imported).toBe(169);
      expect(report.rejected).toEqual([]);
      expect(progress.at(-1)).toBe(169);
      const { rows } = await sql<{ n: number; odt: number; tmd: number; label: string; notes: string; invalid: number }>`
        select count(*)::int as n, count(*) filter (where land_use_code = 'ODT')::int as odt,
               count(*) filter (where land_use_code = 'TMD')::int as tmd, min(label) as label, min(notes) as notes,
               count(*) filter (where not ST_IsValid(geom))::int as invalid
        from planning_zones where plan_id = ${report.plan_id}`.execute(db);
      expect(rows[0]).toMatchObject({ n: 169, odt: 37, tmd: 114, invalid: 0 });
      expect(rows[0].label).toMatch(/^[A-Z]/);
      const plan = await db.selectFrom('plans').select(['level', 'decision_number', 'is_demo']).where('id', '=', report.plan_id!).executeTakeFirstOrThrow();
      expect(plan).toEqual({ level: 'zoning', decision_number: '80-159', is_demo: false });
    });

    it('repairs broken geometries it can and reports the rest per feature, refusing the file by default', async () => {
      const db = await testDb(engine);
      const { lon, lat, size } = ownSpot();
      const bowtie = { type: 'Polygon', coordinates: [[[lon, lat], [lon + size, lat + size], [lon + size, lat], [lon, lat + size], [lon, lat]]] };
      const unclosed = { type: 'Polygon', coordinates: [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]] };
      const flat = { type: 'Polygon', coordinates: [[[lon, lat], [lon + size / 2, lat], [lon + size, lat], [lon, lat]]] };
      const file = {
        type: 'FeatureCollection',
        features: [
          feature(square(lon, lat, lon + size, lat + size), { code: 'ODT' }, 'ok'),
          feature(bowtie, { code: 'DGD' }, 'bowtie'),
          feature(unclosed, { code: 'TMD' }, 'unclosed'),
          feature(flat, { code: 'DKV' }, 'flat'),
          feature({ type: 'Point', coordinates: [lon, lat] }, { code: 'ODT' }, 'point'),
          feature(square(lon, lat, lon + size, lat + size), { code: 'XYZ' }, 'badcode'),
          feature(null, { code: 'ODT' }, 'nogeom'),
        ],
      };
      const before = await counts(db);
      const error = await rejection(importPlanning(db, structuredClone(file), { plan: { name: 'Broken' } }));
      expect(error.status).toBe(422);
      expect(error.code).toBe('features_rejected');
      expect(error.message).toMatch(/4 of 7 features were rejected/);
      expect(Object.keys(error.fields!).sort()).toEqual(['features.3', 'features.4', 'features.5', 'features.6']);
      expect(error.fields!['features.3']).toMatch(/cannot be repaired/);
      expect(error.fields!['features.4']).toMatch(/Point is not a polygon/);
      expect(error.fields!['features.5']).toMatch(/unknown land-use code XYZ/);
      expect(await counts(db)).toEqual(before);

      const report = await importPlanning(db, structuredClone(file), { plan: { name: 'Broken, skipping' }, skipRejected: true });
      expect(report.imported).toBe(3);
      expect(report.repaired).toBe(2);
      expect(report.rejected.map((r) => [r.index, r.id])).toEqual([[3, 'flat'], [4, 'point'], [5, 'badcode'], [6, 'nogeom']]);
      const { rows } = await sql<{ source_ref: string; valid: boolean; type: string }>`
        select source_ref, ST_IsValid(geom) as valid, GeometryType(geom) as type from planning_zones where plan_id = ${report.plan_id} order by source_ref`.execute(db);
      expect(rows).toEqual([
        { source_ref: 'bowtie', valid: true, type: 'MULTIPOLYGON' },
        { source_ref: 'ok', valid: true, type: 'MULTIPOLYGON' },
        { source_ref: 'unclosed', valid: true, type: 'MULTIPOLYGON' },
      ]);
    });

    it('imports VN-2000 (TM-3 108°30′, EPSG:9218) coordinates into the right place', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const { lon, lat, size } = ownSpot();
      const { rows } = await sql<{ g: string }>`
        select ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(square(lon, lat, lon + size, lat + size))}), 4326), 9218), 3) as g`.execute(db);
      const projected = JSON.parse(rows[0].g);
      expect(projected.coordinates[0][0][0]).toBeGreaterThan(100_000);
      const report = await importPlanning(db, {
        type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::9218' } },
        features: [feature(projected, { MaLoaiDat: 'DYT', GhiChu: 'Bệnh viện' })],
      }, { plan: { name: 'VN-2000 test' } });
      expect(report.imported).toBe(1);
      const body = await (await app.request(`/api/planning/lookup?lat=${lat + size / 2}&lon=${lon + size / 2}`)).json();
      expect(body.zones.map((z: { land_use: { code: string }; notes: string }) => [z.land_use.code, z.notes])).toEqual([['DYT', 'Bệnh viện']]);
    });

    it('refuses a file whose coordinates do not match its CRS, and leaves nothing behind', async () => {
      const db = await testDb(engine);
      const before = await counts(db);
      const metres = feature(square(520_000, 1_400_000, 520_200, 1_400_200), { code: 'ODT' });
      const asWgs84 = await rejection(importPlanning(db, { type: 'FeatureCollection', features: [metres] }, { plan: { name: 'Wrong CRS' } }));
      expect(asWgs84.code).toBe('wrong_crs');
      expect(asWgs84.message).toMatch(/not degrees/);
      const degrees = feature(square(108.1, 12.6, 108.101, 12.601), { code: 'ODT' });
      const asUtm = await rejection(importPlanning(db, { type: 'FeatureCollection', features: [degrees] }, { plan: { name: 'Wrong CRS' }, srid: 3405 }));
      expect(asUtm.code).toBe('wrong_crs');
      const unsupported = await rejection(importPlanning(db, { type: 'FeatureCollection', features: [degrees] }, { plan: { name: 'x' }, srid: 2154 }));
      expect(unsupported.code).toBe('unsupported_crs');
      const mismatch = await rejection(importPlanning(db, { type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'EPSG:3405' } }, features: [metres] }, { plan: { name: 'x' }, srid: 9218 }));
      expect(mismatch.code).toBe('crs_mismatch');
      expect(await counts(db)).toEqual(before);
    });

    it('rolls back everything when a batch fails halfway', async () => {
      const db = await testDb(engine);
      const { lon, lat } = ownSpot();
      // 300 good features fill the first batch; a bad one in the second aborts the whole file.
      const features = Array.from({ length: 300 }, (_, i) => feature(square(lon + i * 1e-5, lat, lon + (i + 1) * 1e-5, lat + 1e-4)));
      features.push(feature({ type: 'Polygon', coordinates: [[[lon, lat], [lon + 1e-4, lat], [lon, lat]]] }));
      const before = await counts(db);
      const error = await rejection(importPlanning(db, { type: 'FeatureCollection', features }, { plan: { name: 'Half' } }));
      expect(error.code).toBe('features_rejected');
      expect(await counts(db)).toEqual(before);
      await expect(importPlanning(db, { type: 'nope' }, { plan: { name: 'x' } })).rejects.toMatchObject({ code: 'invalid_file' });
    });
  });
}
