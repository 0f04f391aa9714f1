import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/services/api-keys.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createUnit, postReport, reportForm } from './factories.js';
import { formBody, parseXml } from './open311-helpers.js';

const UPDATES = '/open311/v2/servicerequestupdates.json';
const DAY_MS = 86_400_000;

for (const engine of ENGINES) {
  describe(`Open311 keys act only within their scope, through the staff workflow [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      // Ward 24133 is this unit's; the other unit handles the same field elsewhere.
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const otherUnit = await createUnit(db, { areaCode: '24133', fieldCodes: [] });
      const name = `DMS ${crypto.randomBytes(3).toString('hex')}`;
      const unitKey = await createApiKey(db, name, { unitId });
      const ownKey = await createApiKey(db, `App ${crypto.randomBytes(3).toString('hex')}`, { own: true });
      const post = (path: string, fields: Record<string, string | number | undefined>) => {
        const f = formBody(fields);
        return app.request(path, { method: 'POST', body: f.body, headers: f.headers });
      };
      const update = (key: string, code: string, status: string, description = 'Cập nhật từ hệ thống quản lý văn bản') =>
        post(UPDATES, { api_key: key, update_id: `u-${crypto.randomUUID()}`, service_request_id: code, status, description });
      const newReport = async () => (await (await postReport(app, reportForm({ field }))).json()).code as string;
      const report = (code: string) => db.selectFrom('reports').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
      return { db, app, field, unitId, otherUnit, unitKey, ownKey, name, post, update, newReport, report };
    }

    it('a unit key moves its unit\'s report like staff do: version, public event, audit row naming the key, outbox, notifications', async () => {
      const { db, unitKey, name, update, newReport, report } = await setup();
      const code = await newReport();
      const before = await report(code);
      expect(before.status).toBe('assigned');

      const res = await update(unitKey.key, code, 'FIXED', 'Đã vá xong ổ gà');
      expect(res.status).toBe(200);
      const after = await report(code);
      expect(after.status).toBe('resolved');
      expect(after.version).toBe(before.version + 1);
      expect(after.resolved_at).not.toBeNull();

      const event = await db.selectFrom('report_events').selectAll().where('report_id', '=', after.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(event).toMatchObject({ type: 'resolved', public: true, from_status: 'assigned', to_status: 'resolved', note: 'Đã vá xong ổ gà' });
      expect((await res.json())[0].update_id).toBe(String(event.id));

      const audit = await db.selectFrom('audit_log').selectAll().where('entity', '=', 'report').where('entity_id', '=', code).execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'report.resolve', actor_id: null, client: `api_key:${unitKey.id} ${name}` });

      const outbox = await db.selectFrom('outbox').select(['type', 'payload']).where('report_id', '=', after.id).orderBy('id').execute();
      expect(outbox.map((o) => o.type)).toEqual(['report.created', 'report.assigned', 'report.resolved']);
      expect(JSON.parse(outbox[2]!.payload)).toMatchObject({ code, action: 'resolve', client: name });

      const notes = await db.selectFrom('notifications').select(['recipient', 'status']).where('report_id', '=', after.id).execute();
      expect(notes).toContainEqual({ recipient: 'reporter', status: 'resolved' });
    });

    it('another unit\'s report, a held report and an unknown id all answer the same 404, changing nothing', async () => {
      const { db, otherUnit, unitKey, update, newReport, report } = await setup();
      const theirs = await newReport();
      await db.updateTable('reports').set({ unit_id: otherUnit }).where('code', '=', theirs).execute();
      const held = await newReport();
      await db.updateTable('reports').set({ needs_review: true }).where('code', '=', held).execute();
      for (const code of [theirs, held]) {
        const before = await report(code);
        for (const status of ['FIXED', 'CLOSED', 'NOT_COUNCILS_RESPONSIBILITY', 'IN_PROGRESS', 'INVESTIGATING']) {
          const res = await update(unitKey.key, code, status);
          expect(res.status, `${code} ${status}`).toBe(404);
          expect((await res.json())[0]).toEqual({ code: 404, description: `Service request "${code}" not found` });
        }
        const after = await report(code);
        expect({ status: after.status, version: after.version }).toEqual({ status: before.status, version: before.version });
        expect(await db.selectFrom('audit_log').select('id').where('entity_id', '=', code).execute()).toEqual([]);
        expect(await db.selectFrom('external_updates').select('id').where('report_id', '=', after.id).execute()).toEqual([]);
      }
      const unknown = await update(unitKey.key, 'ZZZZZZZZ', 'FIXED');
      expect(unknown.status).toBe(404);
      expect((await unknown.json())[0]).toEqual({ code: 404, description: 'Service request "ZZZZZZZZ" not found' });
    });

    it('an own-requests key reaches only what it filed, and only to note, close or reopen it', async () => {
      const { field, ownKey, post, update, newReport, report } = await setup();
      const notMine = await newReport();
      const res = await update(ownKey.key, notMine, 'FIXED');
      expect(res.status).toBe(404);
      expect((await report(notMine)).status).toBe('assigned');

      const filed = await post('/open311/v2/requests.json', {
        api_key: ownKey.key, service_code: field, lat: 12.6675, long: 108.0378, description: 'Cột đèn đổ chắn ngang đường',
      });
      expect(filed.status).toBe(201);
      const mine = (await filed.json())[0].service_request_id as string;
      const refused = await update(ownKey.key, mine, 'FIXED');
      expect(refused.status).toBe(403);
      expect((await refused.json())[0].description).toMatch(/notes to, close or reopen/);
      const before = await report(mine);
      expect((await update(ownKey.key, mine, 'INVESTIGATING', 'Người dân bổ sung: cột đèn số 14')).status).toBe(200);
      const after = await report(mine);
      expect({ status: after.status, version: after.version }).toEqual({ status: before.status, version: before.version + 1 });
    });

    it('reopens once, within 7 days of the resolution, as a citizen can', async () => {
      const { db, unitKey, update, newReport, report } = await setup();
      const late = await newReport();
      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date(Date.now() - 8 * DAY_MS) }).where('code', '=', late).execute();
      const tooLate = await update(unitKey.key, late, 'OPEN');
      expect(tooLate.status).toBe(400);
      expect((await tooLate.json())[0].description).toMatch(/within 7 days/);
      expect((await report(late)).status).toBe('resolved');

      const code = await newReport();
      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date(Date.now() - DAY_MS) }).where('code', '=', code).execute();
      expect((await update(unitKey.key, code, 'OPEN', 'Ổ gà lại xuất hiện')).status).toBe(200);
      const reopened = await report(code);
      expect({ status: reopened.status, reopen_count: reopened.reopen_count, resolved_at: reopened.resolved_at }).toEqual({ status: 'reopened', reopen_count: 1, resolved_at: null });
      expect((await update(unitKey.key, code, 'FIXED')).status).toBe(200);
      const again = await update(unitKey.key, code, 'OPEN');
      expect(again.status).toBe(400);
      expect((await again.json())[0].description).toMatch(/reopened once already/);
      expect((await report(code)).status).toBe('resolved');
    });

    it('refuses transitions the workflow forbids, as an Open311 error, in both formats', async () => {
      const { db, unitKey, post, newReport, report } = await setup();
      const code = await newReport();
      await db.updateTable('reports').set({ status: 'closed', closed_at: new Date() }).where('code', '=', code).execute();
      for (const [path, read] of [
        ['/open311/v2/servicerequestupdates.json', async (r: Response) => (await r.json())[0]],
        ['/open311/v2/servicerequestupdates.xml', async (r: Response) => parseXml(await r.text()).errors.error[0]],
      ] as const) {
        const res = await post(path, { api_key: unitKey.key, update_id: `u-${crypto.randomUUID()}`, service_request_id: code, status: 'IN_PROGRESS', description: 'x' });
        expect(res.status, path).toBe(400);
        expect((await read(res)).description).toMatch(/closed cannot become in_progress/);
      }
      expect((await report(code)).status).toBe('closed');
    });
  });

  describe(`Open311 attribute names are data, not object keys [${engine}]`, () => {
    it('answers attribute[__proto__] and attribute[constructor] with 400, urlencoded and multipart, JSON and XML', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const key = await createApiKey(db, `Attr ${crypto.randomBytes(3).toString('hex')}`);
      for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        const fields = { api_key: key.key, service_code: field, lat: '12.6675', long: '108.0378', description: 'Ổ gà sâu trước cổng trường', [`attribute[${name}]`]: 'x' };
        const multipart = new FormData();
        for (const [k, v] of Object.entries(fields)) multipart.append(k, v);
        for (const format of ['json', 'xml']) {
          for (const body of [formBody(fields), { body: multipart, headers: {} }]) {
            const res = await app.request(`/open311/v2/requests.${format}`, { method: 'POST', body: body.body, headers: body.headers });
            expect(res.status, `${name} ${format}`).toBe(400);
            const text = await res.text();
            const error = format === 'json' ? JSON.parse(text)[0] : parseXml(text).errors.error[0];
            expect(String(error.description)).toContain(`attribute[${name}]: This service has no question "${name}"`);
          }
        }
      }
      expect(await db.selectFrom('reports').select('id').where('api_key_id', '=', key.id).execute()).toEqual([]);
    });
  });
}
