import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createField, createStaff, fixtureFile, loginAs, reportForm, type StaffSession } from '../integration/factories.js';
import { encodeMultipart, failingStream, FILES } from './arbitraries.js';
import { ENGINES, fuzzApp, fuzzDb, mediaFiles } from './context.js';
import { checkErrorShape, checkOpen311ErrorShape } from './harness.js';

/** Each case is a request the fuzzer found answered with a 5xx (or a hang), kept small and named after the bug. */

const b64 = (s: string) => Buffer.from(s).toString('base64url');

for (const engine of ENGINES) {
  describe(`fuzzer regressions [${engine}]`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    async function setup() {
      const db = await fuzzDb(engine);
      const { app, config } = fuzzApp(db, engine, 'regressions');
      const admin: StaffSession = await loginAs(app, await createStaff(db, 'admin'));
      const field = await createField(db);
      return { db, app, config, admin, field };
    }
    beforeAll(async () => {
      ctx = await setup();
    });

    /** A refusal in our shape with the given status, and which fields it names. */
    async function refused(res: Response, status = 400) {
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(checkErrorShape(res, text), text).toBeUndefined();
      return (JSON.parse(text) as { error: { code: string; fields?: Record<string, string> } }).error;
    }

    it('multipart-part-after-refusal-hangs: a part busboy had buffered after a refused one no longer keeps the request open', async () => {
      // An unnamed file part is refused; the photo after it used to open a writer that waited forever for a body already cut off.
      const { body, contentType } = encodeMultipart({
        fields: [['field', ctx.field]],
        files: [
          { field: 'photos', filename: 'a.jpg', type: 'image/jpeg', data: FILES.jpeg_truncated_half! },
          { field: '', filename: 'b.svg', type: 'image/svg+xml', data: FILES.svg! },
          { field: 'photos', filename: 'c.jpg', type: 'image/jpeg', data: FILES.empty! },
        ],
        damage: 'no_final_boundary',
        cut: 1,
      });
      const res = await ctx.app.request('/api/reports', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, 'accept-language': 'en' } });
      const error = await refused(res);
      expect(error.fields).toEqual({ '(unnamed part)': '(unnamed part) is not an accepted file field' });
      expect(mediaFiles(ctx.config.mediaDir)).toEqual([]);
    });

    it('multipart-file-field-named-constructor: Object.prototype names are not file fields', async () => {
      for (const name of ['constructor', 'toString', '__proto__']) {
        const form = new FormData();
        form.append('field', ctx.field);
        form.append(name, new Blob([new Uint8Array(fixtureFile('gps-tagged.jpg'))], { type: 'image/jpeg' }), 'x.jpg');
        const error = await refused(await ctx.app.request('/api/reports', { method: 'POST', body: form, headers: { 'accept-language': 'en' } }));
        expect(Object.values(error.fields ?? {})[0]).toMatch(/is not an accepted file field/);
      }
      expect(mediaFiles(ctx.config.mediaDir)).toEqual([]);
    });

    it('row-id-beyond-int4: ids PostgreSQL cannot bind are refused as input, not failed on as queries', async () => {
      const big = 2 ** 31;
      const requests: [string, { method?: string; json?: unknown }][] = [
        [`/api/admin/users/${big}`, { method: 'PATCH', json: { display_name: 'Ai đó' } }],
        [`/api/admin/routing-rules/${big}`, { method: 'DELETE' }],
        [`/api/admin/webhook-deliveries?webhook=${big}`, {}],
        ['/api/admin/users', { json: { username: 'big.unit', display_name: 'Big', password: 'long-enough-pw', role: 'dispatcher', unit_id: big } }],
        ['/api/admin/routing-rules', { json: { position: 1, name: 'Quy tắc', unit_id: big } }],
        ['/api/admin/webhooks', { json: { unit_id: big, url: 'http://127.0.0.1:9/x', secret: 'secret-secret-1234', events: ['report.created'] } }],
        ['/api/staff/reports/bulk-assign', { json: { codes: ['ABCDEFGH'], unit_id: big } }],
        [`/api/staff/reports?unit=${big}`, {}],
        [`/api/stats/timeseries?unit=1,${big}`, {}],
        [`/api/export.csv?unit=${big}`, {}],
      ];
      for (const [url, init] of requests) {
        const error = await refused(await ctx.admin.request(url, init));
        expect(error.code, url).toBe('validation_failed');
      }
    });

    it('date-year-zero: 0000-01-01 is ISO-8601 but not a PostgreSQL date', async () => {
      await refused(await ctx.admin.request('/api/admin/calendar', { method: 'PUT', json: { day: '0000-01-01', kind: 'holiday', name: 'Năm không' } }));
      await refused(await ctx.admin.request('/api/admin/calendar/0000-01-01', { method: 'DELETE' }));
      await refused(await ctx.admin.request('/api/stats/summary?from=0000-01-01'));
      await refused(await ctx.admin.request('/api/export.csv?from=0000-01-01'));
      const res = await ctx.app.request('/open311/v2/requests.json?start_date=0000-01-01T00:00:00Z');
      expect(res.status).toBe(400);
      expect(checkOpen311ErrorShape(res, await res.text(), '/open311/v2/requests.json')).toBeUndefined();
    });

    it('instant-beyond-9999: an offset that carries 9999-12-31 into the year 10000 is refused, not sent to PGlite as +010000', async () => {
      const filed = await ctx.app.request('/api/reports', { method: 'POST', body: reportForm({ field: ctx.field }) });
      const { code } = (await filed.json()) as { code: string };
      const error = await refused(await ctx.admin.request(`/api/staff/reports/${code}/actions`, {
        json: { action: 'set_deadline', due_at: '9999-12-31T23:59:59-23:59', reason: 'Cần khảo sát' },
      }));
      expect(error.fields).toHaveProperty('due_at');
      for (const q of ['start_date=9999-12-31T23:59:59-23:59', 'updated_after=9999-12-31T23:59:59-2359', 'end_date=0001-01-01T00:00:00+01:00']) {
        const res = await ctx.app.request(`/open311/v2/requests.json?${q}`);
        expect(res.status, q).toBe(400);
      }
    });

    it('cursor-outside-postgres-range: a cursor JavaScript can date but PostgreSQL cannot is refused', async () => {
      for (const raw of ['+275760-09-13T00:00:00.000Z|1', '0000-01-01T00:00:00.000Z|1', '0000-01-01|1', '2025-02-30T00:00:00.000Z|1', '2025-07-01T00:00:00.000Z|1|2']) {
        expect((await refused(await ctx.app.request(`/api/reports?cursor=${b64(raw)}`))).fields).toHaveProperty('cursor');
        expect((await refused(await ctx.admin.request(`/api/staff/reports?cursor=${b64(raw)}`))).fields).toHaveProperty('cursor');
      }
      // What the API itself hands out still works.
      const first = await ctx.app.request('/api/reports?limit=1');
      const next = ((await first.json()) as { next_cursor: string | null }).next_cursor;
      if (next) expect((await ctx.app.request(`/api/reports?limit=1&cursor=${next}`)).status).toBe(200);
    });

    it('stats-points-without-bbox: the required bbox is required, not skipped as an absent optional key', async () => {
      const error = await refused(await ctx.admin.request('/api/stats/points?area=66'));
      expect(error.fields).toHaveProperty('bbox');
    });

    it('empty-partial-update: a PATCH that changes nothing is refused before it becomes UPDATE … SET nothing', async () => {
      const user = await createStaff(ctx.db, 'dispatcher');
      const audits = async () => (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(ctx.db)).rows[0]!.n;
      const before = await audits();
      await refused(await ctx.admin.request(`/api/admin/users/${user.id}`, { method: 'PATCH', json: {} }));
      await refused(await ctx.admin.request(`/api/admin/fields/${ctx.field}`, { method: 'PATCH', json: {} }));
      // A body that is not JSON reaches the validator as {} and gets the same answer.
      await refused(await ctx.admin.request(`/api/admin/fields/${ctx.field}`, { method: 'PATCH', body: '{"active":false}', headers: { 'content-type': 'text/plain' } }));
      expect(await audits()).toBe(before);
    });

    it('unit-with-repeated-codes: a code listed twice is refused rather than breaking the (unit, code) key', async () => {
      const units = async () => (await sql<{ n: number }>`select count(*)::int as n from units`.execute(ctx.db)).rows[0]!.n;
      const before = await units();
      const error = await refused(await ctx.admin.request('/api/admin/units', {
        json: { code: 'u_twice', kind: 'department', name_vi: 'Sở thử', name_en: 'Test department', field_codes: [ctx.field, ctx.field] },
      }));
      expect(error.fields).toHaveProperty('field_codes');
      await refused(await ctx.admin.request('/api/admin/units', {
        json: { code: 'u_twice', kind: 'department', name_vi: 'Sở thử', name_en: 'Test department', area_codes: ['24133', '24133'] },
      }));
      expect(await units()).toBe(before);
    });

    it('open311-path-decoded-twice: a percent sign that survives Hono\'s decoding is data, not a second escape', async () => {
      for (const url of ['/open311/v2/services/%25D2.json', '/open311/v2/requests/%25ZZ.xml', '/open311/v2/tokens/%25.json']) {
        const res = await ctx.app.request(url);
        const text = await res.text();
        expect(res.status, `${url}: ${text}`).toBe(404);
        expect(checkOpen311ErrorShape(res, text, url)).toBeUndefined();
      }
    });

    it('nul-in-text: U+0000, which PostgreSQL text cannot hold, is refused as input wherever it comes in', async () => {
      const user = await createStaff(ctx.db, 'dispatcher');
      const json: [string, string, unknown][] = [
        ['POST', '/api/admin/units', { code: 'u_nul', kind: 'utility', name_vi: 'a\u0000b', name_en: 'Water' }],
        ['PATCH', `/api/admin/users/${user.id}`, { display_name: 'Tên\u0000' }],
        ['POST', '/api/admin/api-keys', { client_name: 'x\u0000', scope: 'own' }],
        ['POST', '/api/auth/login', { username: 'admin\u0000', password: 'whatever-long' }],
      ];
      for (const [method, url, body] of json) {
        const error = await refused(await ctx.admin.request(url, { method, json: body }));
        expect(Object.values(error.fields ?? {})[0], url).toMatch(/NUL/);
      }
      await refused(await ctx.admin.request('/api/staff/reports?area=%00'));
      const form = new FormData();
      form.append('text', 'Phản hồi chính thức\u0000 của đơn vị');
      const res = await ctx.admin.request('/api/staff/reports/ABCDEFGH/response', { method: 'POST', body: form });
      expect((await refused(res)).fields).toHaveProperty('text');
      for (const url of ['/open311/v2/requests/AB%00CD.json', '/open311/v2/services/a%00b.xml', '/open311/v2/tokens/%00.json', '/open311/v2/requests.json?service_request_id=A%00B']) {
        const r = await ctx.app.request(url);
        const text = await r.text();
        expect(r.status, `${url}: ${text}`).toBeLessThan(500);
        expect(checkOpen311ErrorShape(r, text, url.split('?')[0]!)).toBeUndefined();
      }
      const { key } = (await (await ctx.admin.request('/api/admin/api-keys', { json: { client_name: 'nul test', scope: 'own' } })).json()) as { key: string };
      for (const form of [
        `api_key=${key}&update_id=u%00&service_request_id=ABCDEFGH&status=OPEN&description=Xin+ch%C3%A0o`,
        `api_key=${key}&service_code=${ctx.field}&lat=12.6667&long=108.0383&description=${encodeURIComponent('Ổ gà rất sâu trên đường')}&device_id=d%00`,
      ]) {
        const url = form.includes('update_id') ? '/open311/v2/servicerequestupdates.json' : '/open311/v2/requests.json';
        const r = await ctx.app.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
        const text = await r.text();
        expect(r.status, `${url}: ${text}`).toBe(400);
        expect(text).toMatch(/NUL/);
      }
    });

    it('body-stream-error-outside-uploads: a body cut off on a route that takes no upload is a 400, in the route\'s own error shape', async () => {
      const send = (url: string, headers: Record<string, string> = {}) => ctx.app.request(url, {
        // No Content-Length, as a chunked request has none: the limit reads the body as it streams.
        method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=fuzzBoundary', ...headers },
        body: failingStream(Buffer.from('--fuzzBoundary\r\nContent-Disposition: form-data; name="text"\r\n\r\nabc')), duplex: 'half',
      } as RequestInit);
      // An empty code is not an upload route: the body meets the 1 MB limit, which must not fail on a broken stream.
      await refused(await send('/api/staff/reports//response', { cookie: ctx.admin.cookie, 'x-csrf-token': ctx.admin.csrf }));
      for (const url of ['/open311/v2/servicerequestupdates.json', '/open311/v2/servicerequestupdates.xml']) {
        const r = await send(url);
        const text = await r.text();
        expect(r.status, `${url}: ${text}`).toBe(400);
        expect(checkOpen311ErrorShape(r, text, url)).toBeUndefined();
      }
    });

    it('open311-limits-in-open311-shape: a URL over 8 KB (414) or a body over 1 MB (413) on Open311 answers in Open311\'s error list', async () => {
      const long = `?x=${'y'.repeat(9000)}`;
      for (const url of ['/open311/v2/discovery.json', '/open311/v2/services.xml', '/open311/v2/requests.json']) {
        const r = await ctx.app.request(`${url}${long}`);
        const text = await r.text();
        expect(r.status, url).toBe(414);
        expect(checkOpen311ErrorShape(r, text, url), text).toBeUndefined();
      }
      for (const url of ['/open311/v2/requests.json', '/open311/v2/servicerequestupdates.xml']) {
        const r = await ctx.app.request(url, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '999999999999' }, body: 'service_code=x',
        });
        const text = await r.text();
        expect(r.status, url).toBe(413);
        expect(checkOpen311ErrorShape(r, text, url), text).toBeUndefined();
      }
      // Elsewhere the API keeps its own shape.
      expect((await refused(await ctx.app.request(`/api/reports${long}`), 414)).code).toBe('uri_too_long');
    });

    it('audit-filter-out-of-range: actor ids and dates outside what the database stores are refused per field', async () => {
      for (const [q, field] of [
        ['actor=123456789012345678901234567890', 'actor'], ['actor=2147483648', 'actor'], ['before=99999999999999999999', 'before'],
        ['before=1e999', 'before'], ['before=true', 'before'], ['from=0000-01-01T00%3A10%3A00%2B00%3A10', 'from'], ['to=9999-12-31T23%3A59%3A00-01%3A00', 'to'],
      ] as const) {
        const error = await refused(await ctx.admin.request(`/api/admin/audit?${q}`));
        expect(Object.keys(error.fields ?? {}), q).toEqual([field]);
      }
    });

    it('response-refused-after-photos: a staff response refused for its text stores none of its photos', async () => {
      const report = await (await ctx.app.request('/api/reports', { method: 'POST', body: reportForm({ field: ctx.field }) })).json() as { code: string };
      const before = mediaFiles(ctx.config.mediaDir).length;
      const form = new FormData();
      form.append('text', 'x'.repeat(40_000));
      form.append('photos', new Blob([new Uint8Array(fixtureFile('gps-tagged.jpg'))], { type: 'image/jpeg' }), 'a.jpg');
      await refused(await ctx.admin.request(`/api/staff/reports/${report.code}/response`, { method: 'POST', body: form }));
      expect(mediaFiles(ctx.config.mediaDir).length).toBe(before);
    });

    it('refused-uploads-leave-no-file: six photos (one too many), tiny or large, leave nothing in the media directory, also seconds later', async () => {
      // Six tiny photos in one chunk: five writers are still opening their files when the sixth is refused.
      const { body, contentType } = encodeMultipart({
        fields: [['field', ctx.field]],
        files: Array.from({ length: 6 }, (_, i) => ({ field: 'photos', filename: `p${i}.jpg`, type: 'image/jpeg', data: Buffer.from('x') })),
        damage: 'none',
        cut: 1,
      });
      const tmp = path.join(ctx.config.mediaDir, 'tmp');
      const report = await (await ctx.app.request('/api/reports', { method: 'POST', body: reportForm({ field: ctx.field }) })).json() as { code: string };
      const before = mediaFiles(ctx.config.mediaDir).length;
      const big = encodeMultipart({
        fields: [['text', 'Đã xử lý'], ['description', 'x'.repeat(40_000)]],
        files: [9371, 1992, 4566, 35069, 88, 274].map((n, i) => ({ field: 'photos', filename: `p${i}.jpg`, type: 'image/jpeg', data: Buffer.alloc(n, i) })),
        damage: 'none',
        cut: 1,
      });
      for (let i = 0; i < 40; i++) {
        await refused(await ctx.app.request('/api/reports', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType } }));
        const res = await ctx.admin.request(`/api/staff/reports/${report.code}/response`, { method: 'POST', body: new Uint8Array(big.body), headers: { 'content-type': big.contentType } });
        expect(res.status, await res.text()).toBeGreaterThanOrEqual(400);
      }
      expect(mediaFiles(ctx.config.mediaDir).length).toBe(before);
      // Long enough for any open still pending to land.
      await new Promise((r) => setTimeout(r, 300));
      expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
    });

    it('lone-surrogate-in-text: an unpaired UTF-16 surrogate (JSON \\udfff) is refused as input; PGlite failed on it as a query', async () => {
      const error = await refused(await ctx.admin.request('/api/admin/calendar', {
        method: 'PUT', json: { day: '2031-01-02', kind: 'holiday', name: '\u0663\udfff' },
      }));
      // Named in both languages (Vietnamese by default): "nửa cặp UTF-16", "lone UTF-16 surrogate".
      expect(error.fields?.name).toMatch(/UTF-16/);
      expect((await sql<{ n: number }>`select count(*)::int as n from calendar_days where day = '2031-01-02'`.execute(ctx.db)).rows[0]!.n).toBe(0);
      // A well-formed pair (an emoji) is text like any other.
      const ok = await ctx.admin.request('/api/admin/calendar', { method: 'PUT', json: { day: '2031-01-03', kind: 'holiday', name: 'Tết 🎉' } });
      expect(ok.status, await ok.text()).toBeLessThan(300);
    });

    it('leaves no temporary upload behind after any of the above', () => {
      const tmp = path.join(ctx.config.mediaDir, 'tmp');
      expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
    });
  });
}
