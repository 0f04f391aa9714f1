import crypto from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../server/services/api-keys.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createUnit, fixtureFile, postReport, reportForm } from './factories.js';
import { formBody, JSON_TYPE, open311Schemas, parseXml, sampleXml, VN_DATETIME, XML_TYPE } from './open311-helpers.js';

const schemas = open311Schemas();
const BASE = 'https://gopy.daklak.gov.vn';

for (const engine of ENGINES) {
  describe(`Open311 GeoReport v2 [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const ctx = testApp(db, { PUBLIC_BASE_URL: BASE });
      const field = await createField(db);
      const key = await createApiKey(db, `Test client ${crypto.randomBytes(3).toString('hex')}`);
      const post = (path: string, fields: Record<string, string | number | undefined>, headers: Record<string, string> = {}) => {
        const f = formBody(fields);
        return ctx.app.request(path, { method: 'POST', body: f.body, headers: { ...f.headers, ...headers } });
      };
      return { db, ...ctx, field, key: key.key, keyId: key.id, post };
    }

    async function withAttributes(db: Awaited<ReturnType<typeof setup>>['db'], field: string) {
      await db.insertInto('field_attributes').values([
        { field_code: field, code: 'SIZE', datatype: 'singlevaluelist', required: true, description: 'Ổ gà lớn cỡ nào?', sort_order: 1,
          value_options: JSON.stringify([{ key: 'small', name: 'Nhỏ' }, { key: 'large', name: 'Lớn' }]) },
        { field_code: field, code: 'LANES', datatype: 'number', required: false, description: 'Số làn bị ảnh hưởng', sort_order: 2, value_options: null },
      ]).execute();
    }

    it('describes itself in discovery with absolute URLs, in both formats', async () => {
      const { app } = await setup();
      const res = await app.request('/open311/v2/discovery.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(JSON_TYPE);
      const body = await res.json();
      expect(body.endpoints[0]).toMatchObject({ url: `${BASE}/open311/v2`, type: 'production', formats: ['text/xml', 'application/json'] });
      expect(body).toHaveProperty('changeset');
      expect(body).toHaveProperty('contact');
      expect(body).toHaveProperty('key_service');
      const xml = await app.request('/open311/v2/discovery.xml');
      expect(xml.headers.get('content-type')).toBe(XML_TYPE);
      const doc = parseXml(await xml.text());
      expect(doc.discovery.endpoints.endpoint[0].url).toBe(`${BASE}/open311/v2`);
      expect(doc.discovery.endpoints.endpoint[0].formats.format).toEqual(['text/xml', 'application/json']);
    });

    it('lists fields as services and defines their extra questions', async () => {
      const { db, app, field } = await setup();
      await withAttributes(db, field);
      const res = await app.request('/open311/v2/services.json');
      expect(res.headers.get('content-type')).toBe(JSON_TYPE);
      const services = await res.json();
      expect(schemas.services(services), JSON.stringify(schemas.services.errors)).toBe(true);
      expect(services.find((s: { service_code: string }) => s.service_code === field)).toMatchObject({
        service_name: `Thử ${field}`, metadata: true, type: 'realtime', group: 'Cấp xã, phường', keywords: `Test ${field}`,
      });
      const xml = parseXml(await (await app.request('/open311/v2/services.xml')).text());
      const mine = xml.services.service.find((s: { service_code: string }) => s.service_code === field);
      expect(mine).toMatchObject({ metadata: 'true', type: 'realtime', service_name: `Thử ${field}` });

      const def = await (await app.request(`/open311/v2/services/${field}.json`)).json();
      expect(schemas['service-definition'](def), JSON.stringify(schemas['service-definition'].errors)).toBe(true);
      expect(def.attributes.map((a: { code: string }) => a.code)).toEqual(['SIZE', 'LANES']);
      expect(def.attributes[0]).toMatchObject({ datatype: 'singlevaluelist', required: true, variable: true, order: 1, values: [{ key: 'small', name: 'Nhỏ' }, { key: 'large', name: 'Lớn' }] });
      const defXml = await app.request(`/open311/v2/services/${field}.xml`);
      expect(defXml.headers.get('content-type')).toBe(XML_TYPE);
      const parsed = parseXml(await defXml.text()).service_definition;
      expect(parsed.service_code).toBe(field);
      expect(parsed.attributes.attribute[0].values.value[1]).toEqual({ key: 'large', name: 'Lớn' });
      // The element names inside <attribute> are the spec sample's.
      const sample = parseXml(sampleXml('service_definition.xml')).service_definition.attribute[0];
      expect(Object.keys(parsed.attributes.attribute[0]).sort()).toEqual(Object.keys(sample).sort());
    });

    it('answers 404 for an unknown service, request, token or jurisdiction, as errors in each format', async () => {
      const { app } = await setup();
      for (const path of ['/open311/v2/services/no_such_thing.json', '/open311/v2/requests/ZZZZZZZZ.json', '/open311/v2/tokens/nope.json', '/open311/v2/services.json?jurisdiction_id=hanoi.gov.vn', '/open311/v2/nothing.json']) {
        const res = await app.request(path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('content-type')).toBe(JSON_TYPE);
        const body = await res.json();
        expect(body).toEqual([{ code: 404, description: expect.any(String) }]);
      }
      const xml = await app.request('/open311/v2/requests/ZZZZZZZZ.xml');
      expect(xml.status).toBe(404);
      expect(xml.headers.get('content-type')).toBe(XML_TYPE);
      const doc = parseXml(await xml.text());
      expect(doc.errors.error[0].code).toBe('404');
      expect(doc.errors.error[0].description).toMatch(/ZZZZZZZZ/);
      // The sample's element names: <errors><error><code/><description/></error></errors>.
      const sample = parseXml(sampleXml('get_service_request_not_found.xml'));
      expect(Object.keys(doc.errors.error[0]).sort()).toEqual(Object.keys(sample.errors.error[0]).sort());
      // The configured jurisdiction and an empty one both work.
      expect((await app.request('/open311/v2/services.json?jurisdiction_id=daklak.gov.vn')).status).toBe(200);
      expect((await app.request('/open311/v2/services.json?jurisdiction_id=')).status).toBe(200);
    });

    it('files a request through createReport: routed, due, private contact, attributes kept', async () => {
      const { db, app, field, key, keyId, post } = await setup();
      await withAttributes(db, field);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const res = await post('/open311/v2/requests.json', {
        api_key: key, service_code: field, lat: BMT.lat, long: BMT.lon, address_string: '12 Lê Duẩn, Buôn Ma Thuột',
        description: 'Ổ gà rất sâu giữa đường. Xe máy dễ ngã.', email: 'a@example.vn', first_name: 'Nguyễn', last_name: 'An',
        phone: '+84 912 345 678', 'attribute[SIZE]': 'large', 'attribute[LANES]': '2', media_url: 'https://example.org/p.jpg',
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe(JSON_TYPE);
      const [created] = await res.json();
      expect(created.service_request_id).toMatch(/^[2-9A-Z]{8}$/);
      expect(created.service_notice).toMatch(/UBND phường thử/);

      const row = await db.selectFrom('reports').selectAll().where('code', '=', created.service_request_id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        field_code: field, status: 'assigned', unit_id: unitId, source: 'open311', api_key_id: keyId, hide_name: true,
        reporter_name: 'Nguyễn An', reporter_email: 'a@example.vn', reporter_phone: '+84912345678',
        title: 'Ổ gà rất sâu giữa đường.', address: '12 Lê Duẩn, Buôn Ma Thuột', external_media_url: 'https://example.org/p.jpg',
      });
      expect(row.due_at).not.toBeNull();
      const attrs = await db.selectFrom('report_attributes').select(['code', 'value']).where('report_id', '=', row.id).orderBy('code').execute();
      expect(attrs).toEqual([{ code: 'LANES', value: '2' }, { code: 'SIZE', value: 'large' }]);

      const one = await app.request(`/open311/v2/requests/${created.service_request_id}.json`);
      const body = await one.json();
      expect(schemas.requests(body), JSON.stringify(schemas.requests.errors)).toBe(true);
      expect(body[0]).toMatchObject({
        service_request_id: created.service_request_id, status: 'open', service_code: field, agency_responsible: 'UBND phường thử',
        lat: BMT.lat, long: BMT.lon, address: '12 Lê Duẩn, Buôn Ma Thuột', media_url: 'https://example.org/p.jpg',
        status_notes: 'Tự động chuyển theo địa bàn và lĩnh vực',
      });
      expect(body[0].requested_datetime).toMatch(VN_DATETIME);
      expect(body[0].expected_datetime).toMatch(VN_DATETIME);
      const text = JSON.stringify(body) + (await (await app.request(`/open311/v2/requests/${created.service_request_id}.xml`)).text());
      for (const secret of ['a@example.vn', '912345678', 'Nguyễn']) expect(text).not.toContain(secret);

      // Our own API shows it too.
      const ours = await (await app.request(`/api/reports/${created.service_request_id}`)).json();
      expect(ours).toMatchObject({ code: created.service_request_id, status: 'assigned', reporter_name: null });
    });

    it('accepts multipart with a media file, and serves it as an absolute media_url', async () => {
      const { app, field, key } = await setup();
      const form = new FormData();
      for (const [k, v] of Object.entries({ api_key: key, service_code: field, lat: BMT.lat, long: BMT.lon, description: 'Đèn đường tắt cả tuần nay rồi' })) form.append(k, String(v));
      form.append('media', new Blob([new Uint8Array(fixtureFile('pothole.png'))], { type: 'image/png' }), 'p.png');
      const res = await app.request('/open311/v2/requests.xml', { method: 'POST', body: form });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe(XML_TYPE);
      const doc = parseXml(await res.text());
      const id = doc.service_requests.request[0].service_request_id;
      const sample = parseXml(sampleXml('post_service_request.xml')).service_requests.request[0];
      expect(Object.keys(doc.service_requests.request[0]).sort()).toEqual(Object.keys(sample).sort());
      const [got] = await (await app.request(`/open311/v2/requests/${id}.json`)).json();
      expect(got.media_url).toMatch(new RegExp(`^${BASE}/media/[\\w-]+$`));
      const media = await app.request(new URL(got.media_url).pathname);
      expect(media.status).toBe(200);
    });

    it('replays the same answer for a repeated Idempotency-Key', async () => {
      const { db, field, key, post } = await setup();
      const fields = { api_key: key, service_code: field, lat: BMT.lat, long: BMT.lon, description: 'Cây đổ chắn ngang đường đi' };
      const idem = { 'Idempotency-Key': crypto.randomUUID() };
      const a = await (await post('/open311/v2/requests.json', fields, idem)).json();
      const b = await (await post('/open311/v2/requests.json', fields, idem)).json();
      expect(b).toEqual(a);
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(1);
    });

    it('answers 403 without a valid key and 400 for bad input, writing nothing', async () => {
      const { db, app, field, key, keyId, post } = await setup();
      await withAttributes(db, field);
      const good = { service_code: field, lat: BMT.lat, long: BMT.lon, description: 'Rác thải đổ bừa bãi ven đường', 'attribute[SIZE]': 'small' };
      for (const api_key of [undefined, '', 'co311_wrong']) {
        const res = await post('/open311/v2/requests.json', { ...good, api_key });
        expect(res.status).toBe(403);
        expect((await res.json())[0].code).toBe(403);
      }
      const xml = await post('/open311/v2/requests.xml', { ...good, api_key: 'nope' });
      expect(xml.status).toBe(403);
      expect(parseXml(await xml.text()).errors.error[0].code).toBe('403');

      const cases: [Record<string, string | number | undefined>, RegExp][] = [
        [{ service_code: undefined }, /service_code is required/],
        [{ service_code: 'no_such_field' }, /Unknown service_code/],
        [{ lat: 'north' }, /lat must be a number/],
        [{ long: undefined }, /lat and long together/],
        [{ lat: undefined, long: undefined }, /lat and long, or address_string/],
        [{ lat: undefined, long: undefined, address_string: 'Somewhere in Hanoi' }, /No ward or commune/],
        [{ lat: 21.0285, long: 105.8542 }, /outside Đắk Lắk/],
        [{ description: 'short' }, /description is required/],
        [{ 'attribute[SIZE]': 'huge' }, /attribute\[SIZE\]: Unknown value "huge"/],
        [{ 'attribute[SIZE]': undefined }, /attribute\[SIZE\]: .*required/],
        [{ 'attribute[LANES]': 'many' }, /attribute\[LANES\]: Must be a number/],
        [{ 'attribute[COLOR]': 'red' }, /no question "COLOR"/],
        [{ email: 'not-an-email' }, /email is not a valid address/],
        [{ media_url: 'javascript:alert(1)' }, /media_url must be an http/],
      ];
      for (const [change, message] of cases) {
        const res = await post('/open311/v2/requests.json', { ...good, api_key: key, ...change });
        expect(res.status, JSON.stringify(change)).toBe(400);
        const errors = await res.json();
        expect(errors.every((e: { code: number }) => e.code === 400)).toBe(true);
        expect(errors.map((e: { description: string }) => e.description).join(' | '), JSON.stringify(change)).toMatch(message);
      }
      const wrongType = await app.request('/open311/v2/requests.json', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', } });
      expect(wrongType.status).toBe(400);
      const jurisdiction = await post('/open311/v2/requests.json', { ...good, api_key: key, jurisdiction_id: 'hcm.gov.vn' });
      expect(jurisdiction.status).toBe(404);

      await revokeApiKey(db, keyId);
      expect((await post('/open311/v2/requests.json', { ...good, api_key: key })).status).toBe(403);
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(0);
    });

    it('places an address-only request at the centre of the ward it names, flagged approximate', async () => {
      const { db, field, key, post } = await setup();
      const res = await post('/open311/v2/requests.json', {
        api_key: key, service_code: field, address_string: '45 Phan Bội Châu, phường Buôn Ma Thuột', description: 'Nắp cống bị mất, rất nguy hiểm',
      });
      expect(res.status).toBe(201);
      const [{ service_request_id }] = await res.json();
      const row = await db.selectFrom('reports as r').innerJoin('admin_areas as w', 'w.id', 'r.ward_id')
        .select(['w.code', 'r.flags']).where('r.code', '=', service_request_id).executeTakeFirstOrThrow();
      expect(row).toEqual({ code: '24133', flags: ['approximate_location'] });
    });

    it('lists requests with the spec filters, in both formats, newest first', async () => {
      const { db, app, field } = await setup();
      const other = await createField(db);
      const codes: string[] = [];
      for (const f of [field, field, other]) codes.push((await (await postReport(app, reportForm({ field: f }))).json()).code);
      // One far in the past: outside the default 90-day window.
      const old = (await (await postReport(app, reportForm({ field }))).json()).code;
      await db.updateTable('reports').set({ created_at: new Date(Date.now() - 200 * 86_400_000) }).where('code', '=', old).execute();
      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date() }).where('code', '=', codes[1]!).execute();

      const list = async (query: string) => {
        const res = await app.request(`/open311/v2/requests.json?${query}`);
        expect(res.status, query).toBe(200);
        const body = await res.json();
        expect(schemas.requests(body), JSON.stringify(schemas.requests.errors)).toBe(true);
        return body.map((r: { service_request_id: string }) => r.service_request_id);
      };
      expect(await list(`service_code=${field}`)).toEqual([codes[1], codes[0]]);
      expect(await list(`service_code=${field}&status=open`)).toEqual([codes[0]]);
      expect(await list(`service_code=${field}&status=closed`)).toEqual([codes[1]]);
      expect(await list(`service_code=${field},${other}&status=open,closed&page_size=2`)).toEqual([codes[2], codes[1]]);
      // Keyset pages: the second is named by the first reply's Link header, not by a number.
      const first = await app.request(`/open311/v2/requests.json?service_code=${field},${other}&page_size=2`);
      const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link') ?? '')?.[1];
      expect(next).toBeDefined();
      expect(await list(new URL(next!).search.slice(1))).toEqual([codes[0]]);
      expect(await list(`service_code=${field}&start_date=${new Date(Date.now() - 365 * 86_400_000).toISOString()}`)).toEqual([codes[1], codes[0], old]);
      expect(await list(`service_code=${field}&end_date=${new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10)}`)).toEqual([old]);
      expect(await list(`service_code=${field}&bbox=108.03,12.66,108.05,12.67&status=&page=`)).toEqual([codes[1], codes[0]]);
      expect(await list(`service_code=${field}&bbox=100,10,101,11`)).toEqual([]);
      expect(await list(`service_code=${field}&updated_after=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
      // A list of ids overrides every other filter.
      expect(await list(`service_request_id=${old},${codes[2]}&service_code=${field}`)).toEqual([old, codes[2]]);

      const xmlRes = await app.request(`/open311/v2/requests.xml?service_code=${field}`);
      expect(xmlRes.headers.get('content-type')).toBe(XML_TYPE);
      const doc = parseXml(await xmlRes.text());
      expect(doc.service_requests.request.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([codes[1], codes[0]]);
      const sample = parseXml(sampleXml('service_requests.xml')).service_requests.request[0];
      expect(Object.keys(doc.service_requests.request[0]).sort()).toEqual(Object.keys(sample).sort());
      expect(doc.service_requests.request[0].requested_datetime).toMatch(VN_DATETIME);
      const empty = parseXml(await (await app.request('/open311/v2/requests.xml?service_code=zz_none')).text());
      expect(empty.service_requests).toBe('');

      for (const bad of ['start_date=yesterday', 'status=pending', 'page_size=5000', 'bbox=1,2,3', 'start_date=2025-02-01&end_date=2025-01-01', 'page=2']) {
        const res = await app.request(`/open311/v2/requests.json?${bad}`);
        expect(res.status, bad).toBe(400);
        expect((await res.json())[0]).toMatchObject({ code: 400, description: expect.any(String) });
      }
    });

    it('answers tokens with the request id', async () => {
      const { app, field } = await setup();
      const { code } = await (await postReport(app, reportForm({ field }))).json();
      expect(await (await app.request(`/open311/v2/tokens/${code}.json`)).json()).toEqual([{ service_request_id: code, token: code }]);
      const doc = parseXml(await (await app.request(`/open311/v2/tokens/${code}.xml`)).text());
      const sample = parseXml(sampleXml('request_id_from_token.xml'));
      expect(Object.keys(doc.service_requests.request[0]).sort()).toEqual(Object.keys(sample.service_requests.request[0]).sort());
    });

    it('serves the public timeline as servicerequestupdates and applies posted updates once', async () => {
      const { db, app, field, post } = await setup();
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      // Updates come from the unit's own system: a key scoped to the unit (setup's key may touch only its own requests).
      const { key } = await createApiKey(db, `DMS ${crypto.randomBytes(3).toString('hex')}`, { unitId });
      const { code } = await (await postReport(app, reportForm({ field }))).json();
      const start = new Date(Date.now() - 60_000).toISOString();

      const first = await post('/open311/v2/servicerequestupdates.json', {
        api_key: key, update_id: 'ext-1', service_request_id: code, status: 'in_progress', description: 'Đội thi công đã đến hiện trường',
        updated_datetime: new Date().toISOString(), email: 'worker@example.org',
      });
      expect(first.status).toBe(200);
      const [{ update_id }] = await first.json();
      expect(update_id).toMatch(/^\d+$/);
      const again = await post('/open311/v2/servicerequestupdates.json', {
        api_key: key, update_id: 'ext-1', service_request_id: code, status: 'IN_PROGRESS', description: 'Đội thi công đã đến hiện trường',
      });
      expect(await again.json()).toEqual([{ update_id }]);
      const row = await db.selectFrom('reports').select(['id', 'status']).where('code', '=', code).executeTakeFirstOrThrow();
      expect(row.status).toBe('in_progress');
      const events = await db.selectFrom('report_events').select(['type', 'note']).where('report_id', '=', row.id).orderBy('id').execute();
      expect(events.map((e) => e.type)).toEqual(['received', 'assigned', 'in_progress']);
      expect(await db.selectFrom('external_updates').select('update_id').where('report_id', '=', row.id).execute()).toHaveLength(1);

      const fixed = await post('/open311/v2/servicerequestupdates.xml', { api_key: key, update_id: 'ext-2', service_request_id: code, status: 'FIXED', description: 'Đã vá xong' });
      expect(fixed.status).toBe(200);
      expect(parseXml(await fixed.text()).service_request_updates.request_update[0].update_id).toMatch(/^\d+$/);
      const note = await post('/open311/v2/servicerequestupdates.json', { api_key: key, update_id: 'ext-3', service_request_id: code, status: 'INVESTIGATING', description: 'Ghi chú thêm' });
      expect(note.status).toBe(200);

      const res = await app.request(`/open311/v2/servicerequestupdates.json?start_date=${encodeURIComponent(start)}`);
      expect(res.headers.get('content-type')).toBe(JSON_TYPE);
      const mine = (await res.json()).filter((u: { service_request_id: string }) => u.service_request_id === code);
      expect(mine.map((u: { status: string }) => u.status)).toEqual(['OPEN', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'FIXED', 'FIXED']);
      expect(mine[2]).toMatchObject({ update_id, description: 'Đội thi công đã đến hiện trường', media_url: '' });
      expect(mine[2].updated_datetime).toMatch(VN_DATETIME);
      expect(JSON.stringify(mine)).not.toContain('worker@example.org');
      const xml = parseXml(await (await app.request(`/open311/v2/servicerequestupdates.xml?start_date=${encodeURIComponent(start)}`)).text());
      expect(xml.service_request_updates.request_update.some((u: { update_id: string }) => u.update_id === update_id)).toBe(true);

      const errors: [Record<string, string>, number, RegExp][] = [
        [{ api_key: 'bad' }, 403, /api_key/],
        [{ status: 'DONE' }, 400, /status must be one of/],
        [{ update_id: '' }, 400, /update_id is required/],
        [{ service_request_id: 'ZZZZZZZZ' }, 404, /ZZZZZZZZ/],
        [{ status: 'IN_PROGRESS' }, 400, /cannot become in_progress/],
      ];
      for (const [change, status, message] of errors) {
        const r = await post('/open311/v2/servicerequestupdates.json', { api_key: key, update_id: `ext-${crypto.randomUUID()}`, service_request_id: code, status: 'FIXED', description: 'x', ...change });
        expect(r.status, JSON.stringify(change)).toBe(status);
        expect((await r.json())[0].description).toMatch(message);
      }
    });
  });
}
