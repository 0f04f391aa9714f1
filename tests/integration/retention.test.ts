import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { runPeriodicJobs } from '../../server/services/jobs.js';
import { anonymiseOldContacts } from '../../server/services/retention.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, postReport, reportForm } from './factories.js';

type Json = Record<string, any>;

/**
 * A fixed clock years before any test's real closures, so the run touches
 * only this file's reports (the database is shared); cutoff 2018-06-15.
 */
const NOW = new Date('2020-06-15T03:00:00Z');

async function fileReport(db: Kysely<Database>, field: string, status: ReportStatus, closedAt: string | null, tag: string) {
  const { app } = testApp(db);
  const res = await postReport(app, reportForm({ field, name: `Người báo ${tag}`, phone: '0912345678', email: `${tag}@example.vn`, title: `Phản ánh ${tag} về ổ gà` }));
  expect(res.status).toBe(201);
  const { code } = (await res.json()) as Json;
  await app.request(`/api/reports/${code}/follow`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Hàng xóm', phone: '0987654321', email: 'neighbour@example.vn', contact_consent: true }),
  });
  await db.updateTable('reports').set({
    status, closed_at: closedAt, created_at: '2017-01-01T00:00:00Z', client_key: `device:retention-${tag}`,
  }).where('code', '=', code).execute();
  return code as string;
}

async function contactOf(db: Kysely<Database>, code: string) {
  const r = await db.selectFrom('reports').select(['id', 'reporter_name', 'reporter_phone', 'reporter_email', 'client_key', 'anonymised_at'])
    .where('code', '=', code).executeTakeFirstOrThrow();
  const followers = await db.selectFrom('report_followers').select(['name', 'phone', 'email']).where('report_id', '=', r.id).execute();
  return { ...r, followers };
}

for (const engine of ENGINES) {
  describe(`contact retention [${engine}]`, () => {
    it('anonymises reporters and followers of reports closed more than 24 months ago, only those, once, in batches', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      // A run that failed half-way may have left older closures behind (the PostGIS database outlives runs); clear them first.
      await anonymiseOldContacts(db, { months: 24, now: new Date('2020-01-10T00:00:00Z') });
      const oldClosed = await fileReport(db, field, 'closed', '2018-01-10T00:00:00Z', 'old-closed');
      const oldRejected = await fileReport(db, field, 'rejected', '2018-03-01T00:00:00Z', 'old-rejected');
      const recentClosed = await fileReport(db, field, 'closed', '2018-07-01T00:00:00Z', 'recent-closed');
      const stillOpen = await fileReport(db, field, 'in_progress', null, 'still-open');

      // One report per batch, one batch: the oldest closure goes first.
      expect(await anonymiseOldContacts(db, { months: 24, now: NOW, batch: 1, maxBatches: 1 })).toBe(1);
      expect((await contactOf(db, oldClosed)).anonymised_at).toEqual(NOW);
      expect((await contactOf(db, oldRejected)).anonymised_at).toBeNull();

      // The jobs loop finishes the rest and logs the count.
      const lines: Json[] = [];
      const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
      await runPeriodicJobs(db, { retentionMonths: 24 }, pino({ level: 'info' }, sink), NOW);
      const logged = lines.find((l) => l.job === 'contact retention');
      expect(logged).toMatchObject({ count: expect.any(Number), months: 24 });
      expect(logged!.count).toBeGreaterThanOrEqual(1);

      for (const code of [oldClosed, oldRejected]) {
        const c = await contactOf(db, code);
        expect(c).toMatchObject({ reporter_name: null, reporter_phone: null, reporter_email: null, client_key: null, anonymised_at: NOW });
        expect(c.followers).toEqual([{ name: null, phone: null, email: null }]);
      }
      for (const [code, tag] of [[recentClosed, 'recent-closed'], [stillOpen, 'still-open']] as const) {
        const c = await contactOf(db, code);
        expect(c).toMatchObject({
          reporter_name: `Người báo ${tag}`, reporter_phone: '0912345678', reporter_email: `${tag}@example.vn`, client_key: `device:retention-${tag}`, anonymised_at: null,
        });
        expect(c.followers).toEqual([{ name: 'Hàng xóm', phone: '0987654321', email: 'neighbour@example.vn' }]);
      }

      // Idempotent: nothing is left to do at the same moment.
      expect(await anonymiseOldContacts(db, { months: 24, now: NOW })).toBe(0);

      // Each run that did something leaves one audit row with its count, and no contact detail.
      const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'retention.anonymise').where('entity_id', '=', '2018-06-15T03:00:00.000Z').execute();
      expect(audit.length).toBeGreaterThanOrEqual(2);
      expect(audit.every((a) => a.actor_id === null && JSON.parse(a.after!).months === 24)).toBe(true);
      expect(JSON.stringify(audit)).not.toContain('0912345678');

      // The public view of an anonymised report still works, without a name.
      const { app } = testApp(db);
      await db.updateTable('reports').set({ hide_name: false }).where('code', '=', oldClosed).execute();
      const shown = (await (await app.request(`/api/reports/${oldClosed}`)).json()) as Json;
      expect(shown.reporter_name).toBeNull();
    });

    it('reads the months setting: a shorter retention reaches more recent closures', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const closed = await fileReport(db, field, 'withdrawn', '2019-12-01T00:00:00Z', 'withdrawn');
      expect(await anonymiseOldContacts(db, { months: 24, now: NOW })).toBe(0);
      expect((await contactOf(db, closed)).reporter_phone).toBe('0912345678');
      expect(await anonymiseOldContacts(db, { months: 6, now: NOW })).toBeGreaterThanOrEqual(1);
      expect((await contactOf(db, closed)).reporter_phone).toBeNull();
    });
  });
}
