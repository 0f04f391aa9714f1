import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { createLogger } from '../../server/log.js';
import { createApiKey } from '../../server/services/api-keys.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';
import { consumeRateLimit, pruneRateLimits, RateLimited, windowAt } from '../../server/services/rate-limit.js';
import { ENGINES, testConfig, testDb } from './context.js';
import { BMT, createField, createStaff, createUnit, fixtureFile, loginAs, reportForm, type ReportForm } from './factories.js';
import { formBody } from './open311-helpers.js';

type Json = Record<string, any>;

const TEN_MINUTES = 600_000;
/** 150 s into the current ten-minute window: the pinned clock, so Retry-After is exactly 450 s. */
const pinnedNow = () => new Date(Math.floor(Date.now() / TEN_MINUTES) * TEN_MINUTES + 150_000);

const device = () => crypto.randomBytes(16).toString('hex');
const phone = () => `09${crypto.randomInt(10_000_000, 99_999_999)}`;
/** A documentation-range address of the test's own, so no two tests share a bucket. */
const address = () => `198.51.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;
const text = (n: number | string) => ({ title: `Cống thoát nước bị tắc số ${n}`, description: `Nước tràn lên mặt đường sau mỗi trận mưa, mã thử ${n}.` });

/**
 * The real app with rate limits on and a clock the test holds. Requests come
 * from an address of the app's own unless one is given; null sends none, as
 * app.request() alone does.
 */
function limitedApp(db: Kysely<Database>, env: NodeJS.ProcessEnv, clock: { now: Date }) {
  const config = testConfig({ RATE_LIMITS: 'on', ...env });
  const app = createApp({ db, config, logger: createLogger('silent'), storage: new LocalDiskStorage(config.mediaDir), now: () => clock.now });
  const own = address();
  return {
    config,
    request: (path: string, init: RequestInit = {}, socket: string | null = own) =>
      app.request(path, init, socket ? { incoming: { socket: { remoteAddress: socket } } } : undefined),
  };
}

async function countReports(db: Kysely<Database>, field: string, title?: string) {
  const row = await db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('field_code', '=', field).$if(!!title, (qb) => qb.where('title', '=', title!)).executeTakeFirstOrThrow();
  return Number(row.n);
}

function send(app: ReturnType<typeof limitedApp>, form: ReportForm, headers: Record<string, string> = {}, socket?: string | null, extra: Record<string, string> = {}) {
  const body = reportForm(form);
  for (const [k, v] of Object.entries(extra)) body.set(k, v);
  return app.request('/api/reports', { method: 'POST', body, headers }, socket);
}

for (const engine of ENGINES) {
  describe(`abuse defences [${engine}]`, () => {
    describe('rate limits', () => {
      it('answers 429 with Retry-After once a device reaches its limit, writes nothing for the refused report, and counts devices apart', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const clock = { now: pinnedNow() };
        const app = limitedApp(db, { RATE_LIMIT_REPORTS: '100000/10m,3/10m' }, clock);
        const mine = { 'x-device-id': device() };
        for (let i = 0; i < 3; i++) expect((await send(app, { field, ...text(i) }, mine)).status).toBe(201);

        const refused = await send(app, { field, ...text('refused'), photos: [{ name: 'a.png', data: fixtureFile('pothole.png') }] }, mine);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('450');
        const body = (await refused.json()) as Json;
        expect(body.error).toMatchObject({ code: 'rate_limited', fields: { retry_after: '450' } });
        expect(body.error.message).toContain('450');
        expect(await countReports(db, field)).toBe(3);
        expect(await countReports(db, field, text('refused').title)).toBe(0);

        // Another device is counted on its own.
        expect((await send(app, { field, ...text('other device') }, { 'x-device-id': device() })).status).toBe(201);
        expect(await countReports(db, field)).toBe(4);
      });

      it('starts counting afresh when the window ends', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const clock = { now: pinnedNow() };
        const app = limitedApp(db, { RATE_LIMIT_REPORTS: '100000/10m,1/10m' }, clock);
        const mine = { 'x-device-id': device() };
        expect((await send(app, { field, ...text('a') }, mine)).status).toBe(201);
        const refused = await send(app, { field, ...text('b') }, mine);
        expect(refused.status).toBe(429);
        clock.now = new Date(clock.now.getTime() + 449_000);
        expect((await send(app, { field, ...text('c') }, mine)).status).toBe(429);
        clock.now = new Date(clock.now.getTime() + 1_000); // the next window's first instant
        expect((await send(app, { field, ...text('d') }, mine)).status).toBe(201);
        expect(await countReports(db, field)).toBe(2);
      });

      it('counts the socket address, ignoring X-Forwarded-For unless TRUST_PROXY says so', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const clock = { now: pinnedNow() };
        const direct = limitedApp(db, { RATE_LIMIT_REPORTS: '2/10m,100000/10m' }, clock);
        const socket = address();
        for (let i = 0; i < 2; i++) expect((await send(direct, { field, ...text(`d${i}`) }, { 'x-forwarded-for': address() }, socket)).status).toBe(201);
        expect((await send(direct, { field, ...text('d2') }, { 'x-forwarded-for': address() }, socket)).status).toBe(429);
        expect((await send(direct, { field, ...text('d3') }, {}, address())).status).toBe(201);

        // Behind one trusted proxy, the entry it appended (the right-most) is the client; what the client wrote further left is not believed.
        const proxied = limitedApp(db, { RATE_LIMIT_REPORTS: '2/10m,100000/10m', TRUST_PROXY: 'true' }, clock);
        const proxy = address();
        const client = address();
        expect((await send(proxied, { field, ...text('p0') }, { 'x-forwarded-for': client }, proxy)).status).toBe(201);
        expect((await send(proxied, { field, ...text('p1') }, { 'x-forwarded-for': `${address()}, ${client}` }, proxy)).status).toBe(201);
        expect((await send(proxied, { field, ...text('p2') }, { 'x-forwarded-for': `${address()}, ${client}` }, proxy)).status).toBe(429);
        expect((await send(proxied, { field, ...text('p3') }, { 'x-forwarded-for': address() }, proxy)).status).toBe(201);
        expect(await countReports(db, field)).toBe(6);
      });

      it('rate-limits logins per device before checking the password', async () => {
        const db = await testDb(engine);
        const staff = await createStaff(db, 'dispatcher');
        const app = limitedApp(db, { RATE_LIMIT_LOGIN: '100000/10m,2/10m' }, { now: pinnedNow() });
        const login = (password: string, id: string) =>
          app.request('/api/auth/login', {
            method: 'POST', body: JSON.stringify({ username: staff.username, password }), headers: { 'content-type': 'application/json', 'x-device-id': id },
          });
        const mine = device();
        expect((await login('wrong-password-1', mine)).status).toBe(401);
        expect((await login(staff.password, mine)).status).toBe(200);
        const refused = await login(staff.password, mine);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('450');
        expect(((await refused.json()) as Json).error.code).toBe('rate_limited');
        expect((await login(staff.password, device())).status).toBe(200);
      });

      it('rate-limits the assistant per device, apart from the form suggestions', async () => {
        const db = await testDb(engine);
        const app = limitedApp(db, { RATE_LIMIT_ASSISTANT: '100000/1m,2/1m', RATE_LIMIT_CLASSIFY: '100000/1m,1/1m' }, { now: pinnedNow() });
        const headers = { 'content-type': 'application/json', 'x-device-id': device() };
        const ask = () => app.request('/api/assistant', { method: 'POST', body: JSON.stringify({ message: 'xin chào' }), headers });
        const classify = () => app.request('/api/assistant/classify', { method: 'POST', body: JSON.stringify({ title: 'Mất điện', description: 'Mất điện cả khu phố' }), headers });
        expect((await ask()).status).toBe(200);
        expect((await ask()).status).toBe(200);
        const refused = await ask();
        expect(refused.status).toBe(429);
        // 150 s into a ten-minute window is 30 s into a one-minute one.
        expect(refused.headers.get('retry-after')).toBe('30');
        expect((await classify()).status).toBe(200);
        expect((await classify()).status).toBe(429);
      });

      it('rate-limits Open311 POSTs per API key, answering 429 in the Open311 error shape', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const app = limitedApp(db, { RATE_LIMIT_OPEN311: '100000/10m,2/10m' }, { now: pinnedNow() });
        const key = await createApiKey(db, `Rate test ${device().slice(0, 6)}`);
        const other = await createApiKey(db, `Rate test ${device().slice(0, 6)}`);
        const post = (apiKey: string, n: string) => {
          const f = formBody({ api_key: apiKey, service_code: field, lat: BMT.lat, long: BMT.lon, description: `Đèn đường tắt cả tuần nay, lần ${n}` });
          return app.request('/open311/v2/requests.json', { method: 'POST', body: f.body, headers: f.headers });
        };
        expect((await post(key.key, '1')).status).toBe(201);
        expect((await post(key.key, '2')).status).toBe(201);
        const refused = await post(key.key, '3');
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('450');
        expect(await refused.json()).toEqual([{ code: 429, description: expect.stringContaining('450') }]);
        expect(await countReports(db, field)).toBe(2);
        expect((await post(other.key, '4')).status).toBe(201);
      });

      it('keeps one counter per key and window in the database, so every replica sees the same count', async () => {
        const db = await testDb(engine);
        const limits = testConfig().rateLimits.scopes;
        const who = { ip: address(), client: `device:${device()}` };
        const t0 = new Date('2031-03-04T05:06:07Z');
        const w = windowAt(t0, limits.reports.client.windowS);
        for (let i = 0; i < limits.reports.client.max; i++) await consumeRateLimit(db, limits, 'reports', who, t0);
        const over = await consumeRateLimit(db, limits, 'reports', who, t0).then(() => undefined, (e: unknown) => e);
        expect(over).toBeInstanceOf(RateLimited);
        expect((over as RateLimited).retryAfter).toBe((w.end.getTime() - t0.getTime()) / 1000);
        const rows = await db.selectFrom('rate_limit_counters').selectAll().where('key', 'in', [`reports:ip:${who.ip}`, `reports:client:${who.client}`]).orderBy('key').execute();
        expect(rows.map((r) => [r.key.split(':')[1], r.hits, r.window_start.getTime(), r.window_end.getTime()])).toEqual([
          ['client', limits.reports.client.max + 1, w.start.getTime(), w.end.getTime()],
          ['ip', limits.reports.client.max + 1, w.start.getTime(), w.end.getTime()],
        ]);
        // The jobs loop drops windows that are over, and only those.
        await pruneRateLimits(db, new Date(w.end.getTime() - 1));
        expect(await db.selectFrom('rate_limit_counters').select('key').where('key', '=', `reports:ip:${who.ip}`).execute()).toHaveLength(1);
        await pruneRateLimits(db, w.end);
        expect(await db.selectFrom('rate_limit_counters').select('key').where('key', '=', `reports:ip:${who.ip}`).execute()).toHaveLength(0);
      });
    });

    describe('submission checks', () => {
      it('refuses a filled honeypot with 400 and writes nothing: no report, no key, no media', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const app = limitedApp(db, {}, { now: pinnedNow() });
        const key = crypto.randomUUID();
        const res = await send(app, { field, ...text('honeypot'), photos: [{ name: 'a.png', data: fixtureFile('pothole.png') }] },
          { 'Idempotency-Key': key, 'x-device-id': device(), 'Accept-Language': 'en' }, undefined, { website: 'http://cheap-pills.example' });
        expect(res.status).toBe(400);
        const body = (await res.json()) as Json;
        expect(body.error.code).toBe('spam_suspected');
        expect(body.error.fields).toEqual({ website: 'Leave this field empty' });
        expect(await countReports(db, field)).toBe(0);
        expect(await db.selectFrom('idempotency_keys').select('key').where('key', '=', key).execute()).toHaveLength(0);
        // An empty honeypot is what people send.
        expect((await send(app, { field, ...text('person') }, { 'x-device-id': device() }, undefined, { website: '' })).status).toBe(201);
      });

      it('refuses the same text from the same client within the window with 409 naming the earlier report', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const app = limitedApp(db, {}, { now: pinnedNow() });
        const mine = { 'x-device-id': device() };
        const first = (await (await send(app, { field, title: 'Ổ gà lớn trước cổng chợ', description: 'Ổ gà sâu, trời mưa đọng nước, xe máy dễ ngã.' }, mine)).json()) as Json;
        expect(first.code).toMatch(/^[2-9A-Z]{8}$/);

        // Case, accents, punctuation and spacing do not make it new.
        const again = await send(app, { field, title: 'O GA LON truoc cong cho!', description: 'Ổ gà sâu — trời mưa đọng nước,   xe máy dễ ngã' }, mine);
        expect(again.status).toBe(409);
        const body = (await again.json()) as Json;
        expect(body.error.code).toBe('duplicate_report');
        expect(body.error.fields.existing_code).toBe(first.code);
        expect(body.error.message).toContain(first.code);
        expect(await countReports(db, field)).toBe(1);

        // Another person (another device on another address) with the same words is another witness; a different field is another problem.
        expect((await send(app, { field, title: 'Ổ gà lớn trước cổng chợ', description: 'Ổ gà sâu, trời mưa đọng nước, xe máy dễ ngã.' }, { 'x-device-id': device() }, address())).status).toBe(201);
        const otherField = await createField(db);
        expect((await send(app, { field: otherField, title: 'Ổ gà lớn trước cổng chợ', description: 'Ổ gà sâu, trời mưa đọng nước, xe máy dễ ngã.' }, mine)).status).toBe(201);

        // Past the 30-minute window the same client may send it again.
        await db.updateTable('reports').set({ created_at: new Date(Date.now() - 31 * 60_000) }).where('code', '=', first.code).execute();
        expect((await send(app, { field, title: 'Ổ gà lớn trước cổng chợ', description: 'Ổ gà sâu, trời mưa đọng nước, xe máy dễ ngã.' }, mine)).status).toBe(201);
        expect(await countReports(db, field)).toBe(3);
      });

      it('holds a form sent faster than the minimum fill time for review instead of refusing it', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
        const app = limitedApp(db, { MIN_FILL_SECONDS: '600' }, { now: pinnedNow() });
        const fast = await send(app, { field, ...text('fast') }, { 'x-device-id': device() }, undefined, { opened_at: new Date().toISOString() });
        expect(fast.status).toBe(201);
        const held = (await fast.json()) as Json;
        expect(held).toMatchObject({ status: 'received', needs_review: true });
        expect(held.unit).toBeUndefined();
        const row = await db.selectFrom('reports').select(['needs_review', 'unit_id']).where('code', '=', held.code).executeTakeFirstOrThrow();
        expect(row).toEqual({ needs_review: true, unit_id: null });
        expect((await app.request(`/api/reports/${held.code}`)).status).toBe(404);
        const events = await db.selectFrom('report_events as e').innerJoin('reports as r', 'r.id', 'e.report_id')
          .select(['e.type', 'e.public', 'e.note']).where('r.code', '=', held.code).orderBy('e.id').execute();
        expect(events.map((e) => [e.type, e.public])).toEqual([['received', true], ['held_for_review', false]]);
        expect(events[1]!.note).toContain('giây');

        // Epoch milliseconds work too; an hour of filling is a person.
        const slow = (await (await send(app, { field, ...text('slow') }, { 'x-device-id': device() }, undefined, { opened_at: String(Date.now() - 3_600_000) })).json()) as Json;
        expect(slow.status).toBe('assigned');
        expect(slow.needs_review).toBeUndefined();
      });
    });

    describe('abusive senders', () => {
      it('lets a dispatcher mark a client and a phone abusive, holds their later reports for review, and shows it in the inbox', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
        const app = limitedApp(db, {}, { now: pinnedNow() });
        const dispatcher = await loginAs(app, await createStaff(db, 'dispatcher'));
        const officer = await loginAs(app, await createStaff(db, 'officer', unitId));
        const spammer = { 'x-device-id': device() };
        const number = phone();

        const first = (await (await send(app, { field, ...text('s1'), phone: number }, spammer)).json()) as Json;
        expect(first.status).toBe('assigned');
        const before = (await (await dispatcher.request(`/api/staff/reports/${first.code}`)).json()) as Json;
        expect(before).toMatchObject({ needs_review: false, abuse: { client: false, phone: false } });

        const forbidden = await officer.request(`/api/staff/reports/${first.code}/abuse`, { json: { reason: 'Gửi tin rác liên tục' } });
        expect(forbidden.status).toBe(403);
        const nothing = await dispatcher.request(`/api/staff/reports/${first.code}/abuse`, { json: { client: false, phone: false, reason: 'Tin rác' } });
        expect(nothing.status).toBe(400);
        expect(((await nothing.json()) as Json).error.fields).toEqual({ client: 'Choose the client, the phone or both' });
        const noReason = await dispatcher.request(`/api/staff/reports/${first.code}/abuse`, { json: { client: true } });
        expect(noReason.status).toBe(400);
        expect(Object.keys(((await noReason.json()) as Json).error.fields)).toEqual(['reason']);

        const marked = await dispatcher.request(`/api/staff/reports/${first.code}/abuse`, { json: { client: true, phone: false, reason: 'Gửi tin rác liên tục' } });
        expect(marked.status).toBe(200);
        expect(await marked.json()).toEqual({ code: first.code, client: true, phone: false });
        const audit = await db.selectFrom('audit_log').selectAll().where('entity', '=', 'report').where('entity_id', '=', first.code).execute();
        expect(audit.map((a) => [a.action, a.reason])).toEqual([['sender.mark_abusive', 'Gửi tin rác liên tục']]);
        expect(JSON.stringify(audit)).not.toContain(number.slice(2));

        // The same device again: accepted, but it waits for review and reaches no unit.
        const held = (await (await send(app, { field, ...text('s2') }, spammer)).json()) as Json;
        expect(held).toMatchObject({ status: 'received', needs_review: true });
        // The same phone from another device is not held until the phone is marked too.
        const viaPhone = (await (await send(app, { field, ...text('s3'), phone: number }, { 'x-device-id': device() })).json()) as Json;
        expect(viaPhone.needs_review).toBeUndefined();
        await dispatcher.request(`/api/staff/reports/${first.code}/abuse`, { json: { client: false, phone: true, reason: 'Cùng số điện thoại' } });
        const heldByPhone = (await (await send(app, { field, ...text('s4'), phone: `+84 ${number.slice(1)}` }, { 'x-device-id': device() })).json()) as Json;
        expect(heldByPhone.needs_review).toBe(true);

        const inbox = (await (await dispatcher.request(`/api/staff/reports?field=${field}&limit=200`)).json()) as Json;
        const flags = Object.fromEntries(inbox.items.map((i: Json) => [i.code, i.needs_review]));
        expect(flags).toEqual({ [first.code]: false, [held.code]: true, [viaPhone.code]: false, [heldByPhone.code]: true });
        expect((await dispatcher.request(`/api/staff/reports/${held.code}`).then((r) => r.json()) as Json).needs_review).toBe(true);

        // Verifying is the review: the report becomes public.
        expect((await app.request(`/api/reports/${held.code}`)).status).toBe(404);
        const verified = await dispatcher.request(`/api/staff/reports/${held.code}/actions`, { json: { action: 'verify' } });
        expect(verified.status).toBe(200);
        expect((await app.request(`/api/reports/${held.code}`)).status).toBe(200);

        // Lifting the marks lets later reports through again, and is audited too.
        const lifted = await dispatcher.request(`/api/staff/reports/${first.code}/abuse`, { json: { client: true, phone: true, abusive: false, reason: 'Đã xác minh' } });
        expect(await lifted.json()).toEqual({ code: first.code, client: false, phone: false });
        const after = (await (await send(app, { field, ...text('s5'), phone: number }, spammer)).json()) as Json;
        expect(after.needs_review).toBeUndefined();
        const actions = await db.selectFrom('audit_log').select('action').where('entity', '=', 'report').where('entity_id', '=', first.code).orderBy('id').execute();
        expect(actions.map((a) => a.action)).toEqual(['sender.mark_abusive', 'sender.mark_abusive', 'sender.unmark_abusive']);
      });

      it('refuses to mark what a report does not carry', async () => {
        const db = await testDb(engine);
        const field = await createField(db);
        const app = limitedApp(db, {}, { now: pinnedNow() });
        const dispatcher = await loginAs(app, await createStaff(db, 'dispatcher'));
        // No device, no address, no phone: nothing identifies the sender.
        const anonymous = (await (await send(app, { field }, {}, null)).json()) as Json;
        const res = await dispatcher.request(`/api/staff/reports/${anonymous.code}/abuse`, { json: { reason: 'Tin rác' } });
        expect(res.status).toBe(400);
        expect(Object.keys(((await res.json()) as Json).error.fields).sort()).toEqual(['client', 'phone']);
        expect(await db.selectFrom('audit_log').select('id').where('entity', '=', 'report').where('entity_id', '=', anonymous.code).execute()).toHaveLength(0);
      });
    });
  });
}
