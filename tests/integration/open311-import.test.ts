import fs from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { importOpen311 } from '../../server/services/open311-import.js';
import { ENGINES, testDb } from './context.js';
import { BMT, createField } from './factories.js';

const BOSTON: unknown[] = JSON.parse(fs.readFileSync(new URL('../../fixtures/open311/boston/requests.json', import.meta.url), 'utf8'));

for (const engine of ENGINES) {
  describe(`Open311 importer [${engine}]`, () => {
    it('imports the Boston sample with region check off, reports the malformed records, and re-runs idempotently', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const source = `boston-${field}`;
      const progress: number[] = [];
      const summary = await importOpen311(db, BOSTON, { source, regionCheck: false, serviceMap: { '*': field }, onProgress: (done) => progress.push(done) });
      expect(summary).toMatchObject({
        total: 1507,
        imported: 1500,
        skipped: { no_id: 1, unknown_status: 1, bad_datetime: 2, no_location: 1, duplicate_in_file: 1, not_an_object: 1 },
        flagged: { updated_before_requested: 41, outside_region: 1500 },
      });
      expect(summary.problems.map((p) => p.id)).toEqual([null, 'TEST-UNKNOWN-STATUS', 'TEST-BAD-DATETIME', 'TEST-BAD-UPDATED', 'TEST-NO-LOCATION', '101000001874', null]);
      expect(progress.at(-1)).toBe(1507);

      const rows = await db.selectFrom('reports').select(['status', sql<number>`count(*)::int`.as('n')]).where('field_code', '=', field).groupBy('status').orderBy('status').execute();
      expect(rows).toEqual([{ status: 'closed', n: 1456 }, { status: 'received', n: 44 }]);
      const first = await db.selectFrom('reports').selectAll().select([sql<number>`ST_Y(geom)`.as('lat'), sql<number>`ST_X(geom)`.as('lon')])
        .where('external_source', '=', source).where('external_id', '=', '101000001874').executeTakeFirstOrThrow();
      expect(first).toMatchObject({
        status: 'closed', source: 'open311-import', title: 'Abandoned Vehicle', address: '32 Dorset St, Dorchester',
        lat: 42.32365999977393, lon: -71.05847000014967, flags: ['outside_region'], reporter_phone: null,
      });
      expect(first.created_at.toISOString()).toBe('2008-10-06T17:14:57.000Z');
      expect(first.closed_at!.toISOString()).toBe('2008-10-06T18:04:18.000Z');
      const events = await db.selectFrom('report_events').select(['type', 'note']).where('report_id', '=', first.id).orderBy('id').execute();
      expect(events).toEqual([{ type: 'received', note: null }, { type: 'closed', note: 'Case Closed. Case Closed in AVRS.' }]);
      const { n: flagged } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n'))
        .where('field_code', '=', field).where(sql<boolean>`'updated_before_requested' = any(flags)`).where(sql<boolean>`updated_at = created_at`).executeTakeFirstOrThrow();
      expect(flagged).toBe(41);

      const again = await importOpen311(db, BOSTON, { source, regionCheck: false, serviceMap: { '*': field } });
      expect(again.imported).toBe(0);
      expect(again.skipped.already_imported).toBe(1500);
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(1500);
    });

    it('skips points outside the province when the region check is on, and unmapped services', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const sample = BOSTON.slice(0, 50);
      const summary = await importOpen311(db, sample, { source: `boston-on-${field}`, regionCheck: true, serviceMap: { '*': field } });
      expect(summary).toMatchObject({ imported: 0, skipped: { outside_region: 50 } });
      const unmapped = await importOpen311(db, sample, { source: `boston-unmapped-${field}`, regionCheck: false, serviceMap: { '4f389210e75084437f0001de': field } });
      expect(unmapped.skipped.unknown_service).toBe(50 - unmapped.imported);
      expect(unmapped.imported).toBeGreaterThan(0);
      await expect(importOpen311(db, sample, { source: 'x', regionCheck: false, serviceMap: { '*': 'no_such_field' } })).rejects.toThrow(/not an active field/);
    });

    it('refuses a record whose expected_datetime is not after its requested_datetime, and writes nothing of it', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const source = `deadline-${field}`;
      const request = { service_code: field, status: 'open', lat: BMT.lat, long: BMT.lon, description: 'Ổ gà giữa đường', requested_datetime: '2025-03-10T09:00:00+07:00' };
      const records = [
        { ...request, service_request_id: 'DUE-BEFORE', expected_datetime: '2025-03-09T09:00:00+07:00' },
        // The same instant written with another offset.
        { ...request, service_request_id: 'DUE-SAME', expected_datetime: '2025-03-10T02:00:00Z' },
        { ...request, service_request_id: 'DUE-AFTER', expected_datetime: '2025-03-10T09:00:01+07:00' },
      ];
      const summary = await importOpen311(db, records, { source, regionCheck: true, serviceMap: {} });
      expect(summary).toMatchObject({ total: 3, imported: 1, skipped: { expected_not_after_requested: 2 } });
      expect(summary.problems).toEqual([
        { index: 0, id: 'DUE-BEFORE', reason: 'expected_not_after_requested', detail: 'expected_datetime "2025-03-09T09:00:00+07:00" is not after requested_datetime "2025-03-10T09:00:00+07:00"' },
        { index: 1, id: 'DUE-SAME', reason: 'expected_not_after_requested', detail: 'expected_datetime "2025-03-10T02:00:00Z" is not after requested_datetime "2025-03-10T09:00:00+07:00"' },
      ]);
      // Timeline rows hang off the report (a foreign key), so no report means nothing at all.
      const rows = await db.selectFrom('reports').select(['external_id', 'due_at']).where('field_code', '=', field).execute();
      expect(rows.map((r) => [r.external_id, r.due_at?.toISOString()])).toEqual([['DUE-AFTER', '2025-03-10T02:00:01.000Z']]);
    });
  });
}
