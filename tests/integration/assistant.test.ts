import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/database.js';
import { SEED_FIELDS } from '../../server/services/seed/reference.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createUnit, postReport, reportForm } from './factories.js';

type Json = Record<string, any>;

/** The 11 reference fields the classifier names; an installation has them from its first start. */
async function ensureReferenceFields(db: Kysely<Database>) {
  for (const { handled_at: _h, ...f } of SEED_FIELDS) {
    await db.insertInto('fields').values(f).onConflict((oc) => oc.column('code').doNothing()).execute();
  }
}

async function chat(app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> }, body: unknown, headers: Record<string, string> = {}) {
  const res = await app.request('/api/assistant', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

for (const engine of ENGINES) {
  describe(`assistant [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      return { db, ...testApp(db) };
    }

    it('looks up a real report by its code, showing the public view only', async () => {
      const { db, app } = await setup();
      const field = await createField(db, { deadline_days: 4 });
      await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const res = await postReport(app, reportForm({
        field, title: 'Ổ gà trước cổng trường', name: 'Trần Thị Bí Mật', phone: '0912345678', email: 'bimat@example.com', hide_name: 'true',
      }));
      expect(res.status).toBe(201);
      const { code } = (await res.json()) as { code: string };

      const r = await chat(app, { message: `phản ánh ${code.toLowerCase()} đến đâu rồi?` });
      expect(r.status).toBe(200);
      expect(r.body.intent).toBe('status');
      expect(r.body.reply).toContain(code);
      expect(r.body.reply).toContain('Ổ gà trước cổng trường');
      expect(r.body.reply).toContain('Đã chuyển đơn vị xử lý');
      expect(r.body.reply).toContain('UBND phường thử');
      expect(r.body.reply).toMatch(/Hạn xử lý: \d{2}\/\d{2}\/\d{4}/);
      expect(r.body.action).toEqual({ type: 'open_report', url: `/r/${code}` });
      expect(r.headers.get('cache-control')).toBe('no-store');
      // Nothing private: no name hidden by the reporter, no phone, no e-mail, no manage token.
      const all = JSON.stringify(r.body);
      for (const secret of ['Bí Mật', '0912345678', 'bimat@example.com', 'token']) expect(all).not.toContain(secret);

      const en = await chat(app, { message: `status of ${code}`, lang: 'en' });
      expect(en.body.reply).toContain('Assigned to a unit');
      expect(en.body.reply).toContain('Test ward committee');
    });

    it('answers honestly about an unknown code', async () => {
      const { app } = await setup();
      const r = await chat(app, { message: 'phan anh ZZZZ2222 den dau roi' });
      expect(r.status).toBe(200);
      expect(r.body.intent).toBe('status');
      expect(r.body.reply).toContain('không tìm thấy');
      expect(r.body.action).toBeUndefined();
    });

    it('guides a filing to an open_form action with the right pre-filled URL, filing nothing itself', async () => {
      const { db, app } = await setup();
      await ensureReferenceFields(db);
      const before = await db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      let r = await chat(app, { message: 'Tôi muốn gửi phản ánh' });
      expect(r.body.state).toEqual({ flow: 'file', step: 'problem' });
      r = await chat(app, { message: 'Rác để đầu hẻm cả tuần không ai thu gom', state: r.body.state });
      expect(r.body.state.field).toBe('waste');
      expect(r.body.reply).toContain('Rác thải, vệ sinh');
      r = await chat(app, { message: 'Dùng vị trí của tôi', state: r.body.state, location: BMT });
      expect(r.body.state.step).toBe('details');
      r = await chat(app, { message: 'Bốc mùi hôi, ruồi nhặng rất nhiều', state: r.body.state });
      expect(r.body.action.type).toBe('open_form');
      const url = new URL(r.body.action.url, 'http://localhost');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        field: 'waste',
        title: 'Rác để đầu hẻm cả tuần không ai thu gom',
        description: 'Rác để đầu hẻm cả tuần không ai thu gom. Bốc mùi hôi, ruồi nhặng rất nhiều',
        lat: BMT.lat.toFixed(6),
        lon: BMT.lon.toFixed(6),
      });
      const after = await db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('computes handling times from the fields in the database', async () => {
      const { db, app } = await setup();
      await ensureReferenceFields(db);
      const land = await db.selectFrom('fields').select(['name_vi', 'deadline_days']).where('code', '=', 'land').executeTakeFirst();
      const r = await chat(app, { message: 'xử lý mất bao lâu?' });
      expect(r.body.intent).toBe('faq_time');
      expect(land).toBeDefined();
      expect(r.body.reply).toContain(`${land!.name_vi}: ${land!.deadline_days} ngày làm việc`);
    });

    it('answers a planning question at a place through the planning lookup, linking the planning page', async () => {
      const { app } = await setup();
      const r = await chat(app, { message: 'quy hoạch ở đây là gì?', location: BMT });
      expect(r.status).toBe(200);
      expect(r.body.intent).toBe('planning');
      expect(r.body.action).toEqual({ type: 'open_planning', url: `/planning?lat=${BMT.lat.toFixed(6)}&lon=${BMT.lon.toFixed(6)}` });
      expect(r.body.reply.length).toBeGreaterThan(10);
      const outside = await chat(app, { message: 'what is the zoning here?', location: { lat: 21.0285, lon: 105.8542 } });
      expect(outside.body.reply).toContain('outside Đắk Lắk');
    });

    it('answers 400 in our error shape for an empty, oversized or malformed message', async () => {
      const { app } = await setup();
      for (const body of [{ message: '' }, { message: '   ' }, { message: 'x'.repeat(501) }, {}, { message: 'hi', state: { step: 'nope' } }, { message: 'hi', location: { lat: 200, lon: 0 } }]) {
        const r = await chat(app, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.error.code).toBe('validation_failed');
        expect(typeof r.body.error.message).toBe('string');
        expect(Object.keys(r.body.error.fields).length).toBeGreaterThan(0);
      }
      const big = await chat(app, { message: 'x'.repeat(501) });
      expect(big.body.error.fields.message).toContain('500');
    });

    it('rate-limits a client that sends too many messages', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { RATE_LIMITS: 'on', RATE_LIMIT_ASSISTANT: '100000/24h,20/24h' });
      const device = { 'x-device-id': crypto.randomUUID() };
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await chat(app, { message: 'xin chào' }, device)).status);
      expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
      const limited = await chat(app, { message: 'xin chào' }, device);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('suggests fields for the form from title and description', async () => {
      const { app } = await setup();
      const res = await app.request('/api/assistant/classify', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Cup dien ca khu pho', description: 'Mat dien tu sang, dien luc chua den' }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { fields: { field: string; confidence: number }[] };
      expect(body.fields[0].field).toBe('power');
      const bad = await app.request('/api/assistant/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(151) }) });
      expect(bad.status).toBe(400);
    });
  });
}
