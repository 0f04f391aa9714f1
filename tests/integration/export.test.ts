import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { importOpen311 } from '../../server/services/open311-import.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createStaff, createUnit, loginAs, postReport, reportForm } from './factories.js';
import { JSON_TYPE, open311Schemas } from './open311-helpers.js';

const schemas = open311Schemas();
// A point in another ward of the province (Ea Kao), so the area filter has something to leave out.
const OTHER_WARD = { lat: 12.6105, lon: 108.0921 };

for (const engine of ENGINES) {
  describe(`exports [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const codes: string[] = [];
      for (const at of [BMT, BMT, OTHER_WARD]) {
        codes.push((await (await postReport(app, reportForm({
          field, ...at, name: 'Lê Văn Bí Mật', phone: '0987654321', email: 'secret@example.vn', description: '=HYPERLINK("http://evil") ổ gà, "sâu"',
        }))).json()).code);
      }
      const staff = await loginAs(app, await createStaff(db, 'leader'));
      return { db, app, field, unitId, codes, staff };
    }

    it('requires a staff session', async () => {
      const { app, field } = await setup();
      expect((await app.request(`/api/export.csv?field=${field}`)).status).toBe(401);
      expect((await app.request(`/api/export.geojson?field=${field}`)).status).toBe(401);
    });

    it('streams CSV of a filter with no contact details and defused formulas', async () => {
      const { app, field, codes, staff } = await setup();
      const res = await staff.request(`/api/export.csv?field=${field}&area=24133`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="civic-ops-.*\.csv"/);
      const bytes = Buffer.from(await res.arrayBuffer());
      // A UTF-8 BOM, so spreadsheet programs read the Vietnamese right.
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
      expect(rows.map((r) => r.code)).toEqual(codes.slice(0, 2));
      expect(rows[0]).toMatchObject({ field_code: field, ward_code: '24133', status: 'assigned', unit_name: 'UBND phường thử' });
      expect(rows[0]!.description).toBe(`'=HYPERLINK("http://evil") ổ gà, "sâu"`);
      expect(rows[0]!.created_at).toMatch(/\+07:00$/);
      for (const secret of ['Bí Mật', '0987654321', 'secret@example.vn']) expect(text).not.toContain(secret);
      const all = parse(await (await staff.request(`/api/export.csv?field=${field}&area=66`)).text(), { bom: true, columns: true });
      expect(all).toHaveLength(3);
    });

    it('streams GeoJSON with the filters, and rejects bad ones with 400 before streaming', async () => {
      const { field, unitId, codes, staff } = await setup();
      const res = await staff.request(`/api/export.geojson?field=${field}&unit=${unitId}&status=assigned,received&from=2020-01-01&to=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`);
      expect(res.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
      const fc = await res.json();
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features.map((f: { id: string }) => f.id)).toEqual(codes.slice(0, 2));
      expect(fc.features[0].geometry.coordinates).toEqual([BMT.lon, BMT.lat]);
      expect(JSON.stringify(fc)).not.toContain('secret@example.vn');
      const none = await (await staff.request(`/api/export.geojson?field=${field}&status=closed`)).json();
      expect(none).toEqual({ type: 'FeatureCollection', features: [] });
      for (const bad of ['area=99999', 'status=open', 'from=yesterday', 'unit=abc', 'from=2025-02-01&to=2025-01-01']) {
        const r = await staff.request(`/api/export.geojson?${bad}`);
        expect(r.status, bad).toBe(400);
        expect((await r.json()).error.code).toBe('validation_failed');
      }
    });

    it('streams keyset batches past the first thousand rows', async () => {
      const { db, field, staff } = await setup();
      const big = await createField(db);
      const records = Array.from({ length: 2100 }, (_, i) => ({
        service_request_id: `bulk-${i}`, status: 'open', service_code: big, description: `Bulk ${i}`,
        requested_datetime: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 60_000).toISOString(), lat: BMT.lat, long: BMT.lon,
      }));
      expect((await importOpen311(db, records, { source: `bulk-${field}`, regionCheck: true, serviceMap: {} })).imported).toBe(2100);
      const rows = parse(await (await staff.request(`/api/export.csv?field=${big}`)).text(), { bom: true, columns: true }) as { description: string }[];
      expect(rows).toHaveLength(2100);
      expect(new Set(rows.map((r) => r.description)).size).toBe(2100);
    });

    it('round-trips: the Open311 dump validates and our importer reads it back', async () => {
      const { db, app, field, codes, staff } = await setup();
      await db.updateTable('reports').set({ status: 'closed', resolved_at: new Date(), closed_at: new Date() }).where('code', '=', codes[2]!).execute();
      const res = await staff.request(`/api/export.open311.json?field=${field}`);
      expect(res.headers.get('content-type')).toBe(JSON_TYPE);
      const dump = await res.json();
      expect(schemas.requests(dump), JSON.stringify(schemas.requests.errors)).toBe(true);
      expect(dump.map((r: { service_request_id: string }) => r.service_request_id)).toEqual(codes);
      expect(JSON.stringify(dump)).not.toContain('secret@example.vn');

      const copy = await createField(db);
      const summary = await importOpen311(db, dump, { source: `roundtrip-${field}`, regionCheck: true, serviceMap: { [field]: copy } });
      expect(summary).toMatchObject({ imported: 3, skipped: {} });
      const back = await (await staff.request(`/api/export.open311.json?field=${copy}`)).json();
      const strip = (r: Record<string, unknown>) => {
        const { service_request_id: _id, service_code: _c, service_name: _n, agency_responsible: _a, status_notes: _s, expected_datetime: _e, updated_datetime: _u, ...rest } = r;
        return rest;
      };
      expect(back.map(strip)).toEqual(dump.map(strip));
      expect(back.map((r: { status: string }) => r.status)).toEqual(['open', 'open', 'closed']);
      const ids = await db.selectFrom('reports').select('external_id').where('field_code', '=', copy).orderBy('created_at').orderBy('id').execute();
      expect(ids.map((r) => r.external_id)).toEqual(codes);
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', copy).executeTakeFirstOrThrow();
      expect(n).toBe(3);
    });
  });
}
