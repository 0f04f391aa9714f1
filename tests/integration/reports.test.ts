import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import exifReader from 'exif-reader';
import { sql } from 'kysely';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../server/services/report-code.js';
import { requestHash } from '../../server/services/reports.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createUnit, fixtureFile, HANOI, postReport, reportForm } from './factories.js';

const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

for (const engine of ENGINES) {
  describe(`citizen reports [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const ctx = testApp(db);
      const field = await createField(db, { deadline_days: 3, duplicate_radius_m: 150 });
      return { db, ...ctx, field };
    }

    it('files a report with one photo, routes it to the ward unit and stores clean media', async () => {
      const { db, app, field, config } = await setup();
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const res = await postReport(app, reportForm({
        field, name: 'Trần Thị B', phone: '0912 345 678', email: 'b@example.vn',
        photos: [{ name: 'pothole.jpg', data: fixtureFile('gps-tagged.jpg') }],
      }));
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
      expect(body.status).toBe('assigned');
      expect(body.ward).toEqual({ code: '24133', name: 'Buôn Ma Thuột', name_en: 'Buon Ma Thuot' });
      expect(body.district.code).toBe('643');
      expect(body.unit).toMatchObject({ id: unitId, name: 'UBND phường thử' });
      expect(new Date(body.due_at).getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
      expect(body.url).toBe(`/r/${body.code}`);
      expect(body.manage_token.length).toBeGreaterThanOrEqual(24);

      const row = await db.selectFrom('reports').selectAll().where('code', '=', body.code).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        field_code: field, status: 'assigned', unit_id: unitId, reporter_phone: '0912345678', reporter_email: 'b@example.vn',
        manage_token_hash: hashToken(body.manage_token),
      });
      expect(row.h3_r9).toMatch(/^\d+$/);
      const events = await db.selectFrom('report_events').select(['type', 'public']).where('report_id', '=', row.id).orderBy('id').execute();
      expect(events).toEqual([{ type: 'received', public: true }, { type: 'assigned', public: true }]);
      const outbox = await db.selectFrom('outbox').select('type').where('report_id', '=', row.id).orderBy('id').execute();
      expect(outbox.map((o) => o.type)).toEqual(['report.created', 'report.assigned']);
      const media = await db.selectFrom('media').selectAll().where('report_id', '=', row.id).execute();
      expect(media).toHaveLength(1);
      expect(media[0]).toMatchObject({ kind: 'photo', mime: 'image/jpeg', width: 1200, height: 900 });
      expect(fs.existsSync(path.join(config.mediaDir, media[0].storage_key.slice(0, 2), media[0].storage_key))).toBe(true);
    });

    it('serves the GPS-tagged photo without any EXIF, with nosniff and caching headers', async () => {
      const { app, field } = await setup();
      const original = await sharp(fixtureFile('gps-tagged.jpg')).metadata();
      expect(exifReader(original.exif!).GPSInfo?.GPSLatitude).toEqual([12, 40, 0]);
      const body = await (await postReport(app, reportForm({ field, photos: [{ name: 'x.jpg', data: fixtureFile('gps-tagged.jpg') }] }))).json();
      const view = await (await app.request(`/api/reports/${body.code}`)).json();
      expect(view.media).toHaveLength(1);
      for (const url of [view.media[0].url, view.media[0].thumb_url]) {
        const res = await app.request(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('cache-control')).toMatch(/max-age/);
        const served = Buffer.from(await res.arrayBuffer());
        const meta = await sharp(served).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.xmp).toBeUndefined();
        expect(served.includes(Buffer.from('FixtureCam'))).toBe(false);
        expect(served.includes(Buffer.from('Exif\0'))).toBe(false);
      }
    });

    it.runIf(hasFfmpeg)('strips the location metadata from a video', async () => {
      const { app, field } = await setup();
      const body = await (await postReport(app, reportForm({ field, video: { name: 'v.mp4', data: fixtureFile('gps-tagged.mp4') } }))).json();
      const view = await (await app.request(`/api/reports/${body.code}`)).json();
      const video = view.media.find((m: { kind: string }) => m.kind === 'video');
      const res = await app.request(video.url);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      const served = Buffer.from(await res.arrayBuffer());
      expect(served.includes(Buffer.from('+12.6667+108.0383'))).toBe(false);
      expect(served.includes(Buffer.from('secret'))).toBe(false);
      expect(served.length).toBeGreaterThan(1000);
    });

    it('replays the same response for the same Idempotency-Key and payload, and stores one report', async () => {
      const { db, app, field } = await setup();
      const key = crypto.randomUUID();
      const form = () => reportForm({ field, title: 'Đèn đường hỏng cả tuần', photos: [{ name: 'a.png', data: fixtureFile('pothole.png') }] });
      const first = await postReport(app, form(), { 'Idempotency-Key': key });
      const second = await postReport(app, form(), { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      const [a, b] = [await first.json(), await second.json()];
      // The stored reply keeps no manage token: the replay carries a new one, and the first stops working.
      const { manage_token: tokenA, manage_url: _urlA, ...restA } = a;
      const { manage_token: tokenB, manage_url: urlB, manage_token_reissued, ...restB } = b;
      expect(restB).toEqual(restA);
      expect(manage_token_reissued).toBe(true);
      expect(tokenB).not.toBe(tokenA);
      expect(urlB).toBe(`/r/${a.code}?token=${tokenB}`);
      const row = await db.selectFrom('reports').select('manage_token_hash').where('code', '=', a.code).executeTakeFirstOrThrow();
      expect(row.manage_token_hash).toBe(hashToken(tokenB));
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(1);
    });

    it('answers 422 when the key is reused for another payload, and 409 while the first is in flight', async () => {
      const { db, app, field } = await setup();
      const key = crypto.randomUUID();
      expect((await postReport(app, reportForm({ field }), { 'Idempotency-Key': key })).status).toBe(201);
      const reused = await postReport(app, reportForm({ field, title: 'Một nội dung khác hẳn' }), { 'Idempotency-Key': key });
      expect(reused.status).toBe(422);
      expect((await reused.json()).error.code).toBe('idempotency_key_reused');

      // A request holding its key mid-flight: the same payload gets 409 and nothing is written.
      const inFlightKey = crypto.randomUUID();
      const input = {
        field, title: 'Ổ gà lớn trước số 12', description: 'Ổ gà sâu khoảng 20 cm, xe máy dễ ngã vào buổi tối.',
        lat: BMT.lat, lon: BMT.lon, hide_name: false,
      };
      await db.insertInto('idempotency_keys').values({
        key: `reports:${inFlightKey}`, scope: 'reports', request_hash: requestHash(input, []), state: 'in_flight',
      }).execute();
      const before = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      const busy = await postReport(app, reportForm({ field }), { 'Idempotency-Key': inFlightKey });
      expect(busy.status).toBe(409);
      expect((await busy.json()).error.code).toBe('request_in_progress');
      const after = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });

    it('answers 413 for an oversize photo and leaves no rows and no files', async () => {
      const { db, app, field, config } = await setup();
      const filesBefore = filesUnder(config.mediaDir).length;
      const big = Buffer.concat([fixtureFile('gps-tagged.jpg'), crypto.randomBytes(10 * 1024 * 1024)]);
      const res = await postReport(app, reportForm({ field, photos: [{ name: 'big.jpg', data: big }] }));
      expect(res.status).toBe(413);
      const body = await res.json();
      expect(body.error.code).toBe('payload_too_large');
      expect(body.error.fields.photos).toMatch(/10 MB/);
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(0);
      expect(filesUnder(config.mediaDir).length).toBe(filesBefore);
    });

    it('answers 413 at once when Content-Length is over the request cap', async () => {
      const { app } = await setup();
      const res = await app.request('/api/reports', {
        method: 'POST', body: 'x', headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(81 * 1024 * 1024) },
      });
      expect(res.status).toBe(413);
    });

    it('answers 415 for a PNG header on a script body, and for a photo that is really a video', async () => {
      const { db, app, field, config } = await setup();
      const filesBefore = filesUnder(config.mediaDir).length;
      const polyglot = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from('<script>alert(1)</script>'.repeat(50))]);
      const res = await postReport(app, reportForm({ field, photos: [{ name: 'cat.png', data: polyglot, type: 'image/png' }] }));
      expect(res.status).toBe(415);
      expect((await res.json()).error.code).toBe('unsupported_media_type');
      const wrongKind = await postReport(app, reportForm({ field, photos: [{ name: 'v.jpg', data: fixtureFile('gps-tagged.mp4'), type: 'image/jpeg' }] }));
      expect(wrongKind.status).toBe(415);
      const text = await postReport(app, reportForm({ field, photos: [{ name: 'a.jpg', data: Buffer.from('hello world, not an image') }] }));
      expect(text.status).toBe(415);
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(0);
      expect(filesUnder(config.mediaDir).length).toBe(filesBefore);
    });

    it('answers 422 outside_region for a pin outside the province and stores nothing', async () => {
      const { db, app, field } = await setup();
      const res = await postReport(app, reportForm({ field, ...HANOI, photos: [{ name: 'a.png', data: fixtureFile('pothole.png') }] }));
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe('outside_region');
      const { n } = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(n).toBe(0);
    });

    it('gives a clear message for every invalid field', async () => {
      const { app, field } = await setup();
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ field: 'NOT A CODE' }, 'field', /field code/],
        [{ field: 'no_such_field' }, 'field', /Unknown field/],
        [{ title: 'abc' }, 'title', /at least 5/],
        [{ title: 'x'.repeat(151) }, 'title', /at most 150/],
        [{ description: 'short' }, 'description', /at least 10/],
        [{ description: 'y'.repeat(4001) }, 'description', /at most 4000/],
        [{ description: 'contains a NUL \u0000 character here' }, 'description', /control characters/],
        [{ lat: 'north' }, 'lat', /number/],
        [{ lat: '95' }, 'lat', /between -90 and 90/],
        [{ lon: '-200' }, 'lon', /between -180 and 180/],
        [{ lon: '' }, 'lon', /required|number/],
        [{ phone: '12345' }, 'phone', /Vietnamese phone/],
        [{ email: 'not-an-email' }, 'email', /not a valid address/],
        [{ hide_name: 'maybe' }, 'hide_name', /true or false/],
        [{ name: 'x' }, 'name', /at least 2/],
      ];
      for (const [override, name, message] of cases) {
        const form = reportForm({ field });
        for (const [k, v] of Object.entries(override)) form.set(k, v);
        const res = await postReport(app, form, { 'Accept-Language': 'en' });
        expect(res.status, `${name}=${JSON.stringify(override)}`).toBe(400);
        const body = await res.json();
        expect(body.error.code).toBe('validation_failed');
        expect(body.error.fields[name], `${name}: ${JSON.stringify(body.error.fields)}`).toMatch(message);
      }
      const form = reportForm({ field });
      form.delete('title');
      const missing = await (await postReport(app, form, { 'Accept-Language': 'en' })).json();
      expect(missing.error.fields.title).toMatch(/required/);
      const sixPhotos = reportForm({ field, photos: Array.from({ length: 6 }, (_, i) => ({ name: `${i}.png`, data: fixtureFile('pothole.png') })) });
      const tooMany = await postReport(app, sixPhotos, { 'Accept-Language': 'en' });
      expect(tooMany.status).toBe(400);
      expect((await tooMany.json()).error.fields.photos).toMatch(/At most 5/);
      const json = await app.request('/api/reports', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(json.status).toBe(415);
    });

    it('refuses a rating before resolution, and reopens once on "not satisfied"', async () => {
      const { db, app, field } = await setup();
      await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const created = await (await postReport(app, reportForm({ field }))).json();
      const rate = (body: unknown) => app.request(`/api/reports/${created.code}/rating`, {
        method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
      });
      const early = await rate({ manage_token: created.manage_token, satisfied: true });
      expect(early.status).toBe(409);
      expect((await early.json()).error.code).toBe('not_resolved');

      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date() }).where('code', '=', created.code).execute();
      expect((await rate({ manage_token: 'wrong-token-123456', satisfied: false })).status).toBe(403);
      expect((await rate({ manage_token: created.manage_token, satisfied: 'no' })).status).toBe(400);
      const unhappy = await rate({ manage_token: created.manage_token, satisfied: false, comment: 'Vẫn còn ổ gà' });
      expect(unhappy.status).toBe(200);
      expect((await unhappy.json()).status).toBe('reopened');
      const row = await db.selectFrom('reports').select(['id', 'status', 'reopen_count', 'resolved_at', 'rating_satisfied']).where('code', '=', created.code).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'reopened', reopen_count: 1, resolved_at: null, rating_satisfied: false });
      const ratings = await db.selectFrom('ratings').select(['satisfied', 'comment']).where('report_id', '=', row.id).execute();
      expect(ratings).toEqual([{ satisfied: false, comment: 'Vẫn còn ổ gà' }]);
      const outbox = await db.selectFrom('outbox').select('type').where('report_id', '=', row.id).where('type', '=', 'report.reopened').execute();
      expect(outbox).toHaveLength(1);

      // Resolved again and still unhappy: it closes, since a report reopens only once.
      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date() }).where('code', '=', created.code).execute();
      const again = await rate({ manage_token: created.manage_token, satisfied: false });
      expect((await again.json()).status).toBe('closed');
      const view = await (await app.request(`/api/reports/${created.code}`)).json();
      expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['received', 'assigned', 'rated', 'reopened', 'rated', 'closed']);
    });

    it('does not reopen when "not satisfied" comes more than 7 days after resolution', async () => {
      const { db, app, field } = await setup();
      const created = await (await postReport(app, reportForm({ field }))).json();
      await db.updateTable('reports').set({ status: 'resolved', resolved_at: new Date(Date.now() - 8 * 86_400_000) }).where('code', '=', created.code).execute();
      const res = await app.request(`/api/reports/${created.code}/rating`, {
        method: 'POST', body: JSON.stringify({ manage_token: created.manage_token, satisfied: false }), headers: { 'content-type': 'application/json' },
      });
      expect((await res.json()).status).toBe('closed');
    });

    it('never shows private contact in the public API', async () => {
      const { app, field } = await setup();
      const created = await (await postReport(app, reportForm({
        field, name: 'Lê Văn Ẩn', phone: '0987654321', email: 'private@example.vn', hide_name: 'true',
      }))).json();
      const shown = await (await postReport(app, reportForm({ field, name: 'Phạm Thị Hiện', phone: '0977000111', email: 'shown@example.vn' }))).json();
      const pages = [
        `/api/reports/${created.code}`, `/api/reports/${shown.code}`, `/api/reports?field=${field}`,
        `/api/reports/nearby?lat=${BMT.lat}&lon=${BMT.lon}&field=${field}`,
      ];
      for (const url of pages) {
        const text = await (await app.request(url)).text();
        for (const secret of ['0987654321', 'private@example.vn', '0977000111', 'shown@example.vn', 'Lê Văn Ẩn', created.manage_token, 'manage_token']) {
          expect(text, `${url} leaks ${secret}`).not.toContain(secret);
        }
      }
      expect((await (await app.request(`/api/reports/${shown.code}`)).json()).reporter_name).toBe('Phạm Thị Hiện');
    });

    it('lists public reports as GeoJSON with keyset pagination, filters and a bounded page', async () => {
      const { db, app, field } = await setup();
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) codes.push((await (await postReport(app, reportForm({ field, lat: BMT.lat + i * 0.001 }))).json()).code);
      await db.updateTable('reports').set({ status: 'rejected' }).where('code', '=', codes[4]).execute();
      const first = await (await app.request(`/api/reports?field=${field}&limit=2`)).json();
      expect(first.type).toBe('FeatureCollection');
      expect(first.features).toHaveLength(2);
      expect(first.features[0].geometry.coordinates[0]).toBeCloseTo(BMT.lon, 4);
      const second = await (await app.request(`/api/reports?field=${field}&limit=2&cursor=${first.next_cursor}`)).json();
      const seen = [...first.features, ...second.features].map((f: { id: string }) => f.id);
      expect(seen).toEqual(codes.slice(0, 4).reverse()); // newest first, the rejected one hidden
      expect(second.next_cursor).toBeNull();
      const inBox = await (await app.request(`/api/reports?field=${field}&bbox=108.03,12.66,108.04,12.6675`)).json();
      expect(inBox.features.map((f: { id: string }) => f.id)).toEqual([codes[0]]);
      const bad = await app.request(`/api/reports?cursor=${Buffer.from('2025-01-01|1 OR 1=1').toString('base64url')}`, { headers: { 'Accept-Language': 'en' } });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.fields.cursor).toMatch(/Invalid cursor/);
      expect((await app.request('/api/reports?limit=5000')).status).toBe(400);
      expect((await app.request('/api/reports?bbox=1,2,3')).status).toBe(400);
      expect((await app.request('/api/reports?status=lost')).status).toBe(400);
    });

    it('finds open duplicates of the same field within the radius, and "me too" adds a follower', async () => {
      const { db, app, field } = await setup();
      const near = (await (await postReport(app, reportForm({ field }))).json()).code;
      await postReport(app, reportForm({ field, lat: BMT.lat + 0.01 })); // ~1.1 km away
      const other = await createField(db);
      await postReport(app, reportForm({ field: other }));
      const res = await (await app.request(`/api/reports/nearby?lat=${BMT.lat + 0.0005}&lon=${BMT.lon}&field=${field}`)).json();
      expect(res.radius_m).toBe(150);
      expect(res.reports.map((r: { code: string }) => r.code)).toEqual([near]);
      expect(res.reports[0].distance_m).toBeGreaterThan(40);
      expect(res.reports[0].distance_m).toBeLessThan(70);

      const follow = await app.request(`/api/reports/${near}/follow`, { method: 'POST', body: JSON.stringify({ phone: '0911222333', contact_consent: true }), headers: { 'content-type': 'application/json' } });
      expect(follow.status).toBe(200);
      expect((await follow.json()).follower_count).toBe(1);
      const row = await db.selectFrom('reports').select(['id', 'follower_count']).where('code', '=', near).executeTakeFirstOrThrow();
      expect(row.follower_count).toBe(1);
      const followers = await db.selectFrom('report_followers').select('phone').where('report_id', '=', row.id).execute();
      expect(followers).toEqual([{ phone: '0911222333' }]);
      expect((await app.request('/api/reports/ZZZZZZZZ/follow', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    });

    it('lets the reporter withdraw an open report with the management token only', async () => {
      const { db, app, field } = await setup();
      const created = await (await postReport(app, reportForm({ field }))).json();
      const withdraw = (token: string) => app.request(`/api/reports/${created.code}/withdraw`, {
        method: 'POST', body: JSON.stringify({ manage_token: token }), headers: { 'content-type': 'application/json' },
      });
      expect((await withdraw('x'.repeat(32))).status).toBe(403);
      expect((await withdraw(created.manage_token)).status).toBe(200);
      const row = await db.selectFrom('reports').select('status').where('code', '=', created.code).executeTakeFirstOrThrow();
      expect(row.status).toBe('withdrawn');
      const again = await withdraw(created.manage_token);
      expect(again.status).toBe(409);
      expect((await again.json()).error.code).toBe('invalid_transition');
      expect((await (await app.request(`/api/reports?field=${field}`)).json()).features).toHaveLength(0);
    });

    it('answers 404 for an unknown tracking code and 400 for a malformed one', async () => {
      const { app } = await setup();
      expect((await app.request('/api/reports/ZZZZ2222')).status).toBe(404);
      expect((await app.request('/api/reports/abc')).status).toBe(400);
    });
  });
}

for (const engine of ENGINES) {
  describe(`report counts [${engine}]`, () => {
    it('counts public reports in a viewport with the list filters', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      for (let i = 0; i < 3; i++) await postReport(app, reportForm({ field, lat: BMT.lat + i * 0.001 }));
      const all = await (await app.request(`/api/reports/count?field=${field}`)).json();
      expect(all).toEqual({ count: 3 });
      const box = await (await app.request(`/api/reports/count?field=${field}&bbox=108.03,12.66,108.04,12.6675`)).json();
      expect(box).toEqual({ count: 1 });
      expect((await app.request('/api/reports/count?bbox=5,5,1,1')).status).toBe(400);
    });
  });
}
