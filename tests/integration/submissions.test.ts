import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { createLogger } from '../../server/log.js';
import { runPeriodicJobs } from '../../server/services/jobs.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';
import { CONTACT_NOTICE_VERSION } from '../../server/services/reports.js';
import { ENGINES, testApp, testConfig, testDb } from './context.js';
import { createField, reportForm, type ReportForm } from './factories.js';

type Json = Record<string, any>;

const device = () => crypto.randomBytes(16).toString('hex');
const address = () => `198.18.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;
const phone = () => `09${crypto.randomInt(10_000_000, 99_999_999)}`;

/** The app with the duplicate check on (it rides on RATE_LIMITS) and limits high enough not to interfere. */
function checkedApp(db: Kysely<Database>, env: NodeJS.ProcessEnv = {}) {
  const config = testConfig({ RATE_LIMITS: 'on', RATE_LIMIT_REPORTS: '1000/10m,1000/10m', ...env });
  const app = createApp({ db, config, logger: createLogger('silent'), storage: new LocalDiskStorage(config.mediaDir) });
  return {
    send: (form: ReportForm, opts: { device?: string; ip?: string; key?: string; extra?: Record<string, string> } = {}) => {
      const body = reportForm(form);
      for (const [k, v] of Object.entries(opts.extra ?? {})) body.set(k, v);
      const headers: Record<string, string> = {};
      if (opts.device) headers['X-Device-Id'] = opts.device;
      if (opts.key) headers['Idempotency-Key'] = opts.key;
      return app.request('/api/reports', { method: 'POST', body, headers }, { incoming: { socket: { remoteAddress: opts.ip ?? address() } } });
    },
    request: (path: string, init?: RequestInit) => app.request(path, init, { incoming: { socket: { remoteAddress: address() } } }),
  };
}

const countOf = async (db: Kysely<Database>, field: string) =>
  (await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow()).n;

for (const engine of ENGINES) {
  describe(`duplicate submissions [${engine}]`, () => {
    it('accepts exactly one of 24 identical concurrent posts from one device; the others get 409', async () => {
      const db = await testDb(engine);
      const app = checkedApp(db);
      const field = await createField(db);
      const d = device();
      const answers = await Promise.all(Array.from({ length: 24 }, () => app.send({ field }, { device: d, ip: address() })));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(23);
      expect(await countOf(db, field)).toBe(1);
    });

    it('keys on the device, the address and the contact: the same text from any of them is a duplicate', async () => {
      const db = await testDb(engine);
      const app = checkedApp(db);
      const field = await createField(db);
      const ip = address();
      const tel = phone();
      const mail = `${device().slice(0, 10)}@example.vn`;
      expect((await app.send({ field, phone: tel, email: mail }, { device: device(), ip })).status).toBe(201);
      // Another device, same address.
      const sameAddress = await app.send({ field }, { device: device(), ip });
      expect(sameAddress.status).toBe(409);
      expect(((await sameAddress.json()) as Json).error.code).toBe('duplicate_report');
      // Another device and address, same phone in another spelling.
      expect((await app.send({ field, phone: `+84${tel.slice(1)}` }, { device: device() })).status).toBe(409);
      // Same e-mail in other capitals.
      expect((await app.send({ field, email: mail.toUpperCase() }, { device: device() })).status).toBe(409);
      // Someone else entirely.
      expect((await app.send({ field }, { device: device() })).status).toBe(201);
      expect(await countOf(db, field)).toBe(2);
    });

    it('holds a web form that says nothing of when it was opened, as too fast', async () => {
      const db = await testDb(engine);
      const app = checkedApp(db, { MIN_FILL_SECONDS: '3' });
      const field = await createField(db);
      const res = await app.send({ field, opened_at: null }, { device: device() });
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).needs_review).toBe(true);
      const person = await app.send({ field, title: 'Cây đổ chắn ngang đường' }, { device: device() });
      expect(((await person.json()) as Json).needs_review).toBeUndefined();
    });
  });

  describe(`idempotency keys [${engine}]`, () => {
    it('never stores a usable manage token, and a key replayed by another client never returns the first client\'s token', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const key = crypto.randomUUID();
      const victim = device();
      const post = (d: string, form: ReportForm = { field }) =>
        app.request('/api/reports', { method: 'POST', body: reportForm(form), headers: { 'Idempotency-Key': key, 'X-Device-Id': d } });
      const first = (await (await post(victim)).json()) as Json;
      expect(first.manage_token).toBeTruthy();

      const stored = await db.selectFrom('idempotency_keys').select(['key', 'response_body']).where('key', 'like', `%${key}`).execute();
      expect(stored).toHaveLength(1);
      expect(stored[0]!.response_body).not.toContain(first.manage_token);
      expect(stored[0]!.response_body).not.toContain('manage_token');

      // An attacker who learnt the key sends it with the same payload from another device.
      const stolen = await post(device());
      const taken = (await stolen.json()) as Json;
      expect(taken.manage_token).not.toBe(first.manage_token);
      expect(taken.code).not.toBe(first.code);
      expect(JSON.stringify(taken)).not.toContain(first.manage_token);

      // The first client's own retry (the offline queue after a lost answer) gets the same report and a working link.
      const retry = await post(victim);
      expect(retry.status).toBe(201);
      const again = (await retry.json()) as Json;
      expect(again.code).toBe(first.code);
      expect(again.manage_token_reissued).toBe(true);
      expect(again.manage_url).toContain(again.manage_token);
      const withdraw = await app.request(`/api/reports/${first.code}/withdraw`, {
        method: 'POST', body: JSON.stringify({ manage_token: again.manage_token }), headers: { 'content-type': 'application/json' },
      });
      expect(withdraw.status).toBe(200);
    });

    it('keeps keys 24 hours: older ones are pruned by the periodic jobs and no longer replay', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const key = crypto.randomUUID();
      const d = device();
      const post = () => app.request('/api/reports', { method: 'POST', body: reportForm({ field }), headers: { 'Idempotency-Key': key, 'X-Device-Id': d } });
      const first = (await (await post()).json()) as Json;
      await db.updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 25 * 3_600_000) }).where('key', 'like', `%${key}`).execute();
      // Expired: the key is claimed afresh.
      const later = (await (await post()).json()) as Json;
      expect(later.code).not.toBe(first.code);
      await db.updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 25 * 3_600_000) }).where('key', 'like', `%${key}`).execute();
      await runPeriodicJobs(db, { retentionMonths: 24 }, createLogger('silent'));
      expect(await db.selectFrom('idempotency_keys').select('key').where('key', 'like', `%${key}`).execute()).toEqual([]);
    });
  });

  describe(`contact consent (Decree 13/2023) [${engine}]`, () => {
    it('refuses contact details without consent, field by field, and records the consent and notice version with them', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const refused = await app.request('/api/reports', { method: 'POST', body: reportForm({ field, name: 'Nguyễn Văn A', phone: '0912345678', email: 'a@example.vn', contact_consent: null }) });
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as Json;
      expect(Object.keys(body.error.fields).sort()).toEqual(['email', 'name', 'phone']);
      expect(await countOf(db, field)).toBe(0);

      const ok = await app.request('/api/reports', { method: 'POST', body: reportForm({ field, phone: '0912345678', contact_consent: 'true' }) });
      expect(ok.status).toBe(201);
      const row = await db.selectFrom('reports').select(['contact_consent_at', 'contact_notice_version', 'reporter_phone'])
        .where('code', '=', ((await ok.json()) as Json).code).executeTakeFirstOrThrow();
      expect(row.reporter_phone).toBe('0912345678');
      expect(row.contact_consent_at).toBeInstanceOf(Date);
      expect(row.contact_notice_version).toBe(CONTACT_NOTICE_VERSION);

      // No contact, no consent needed, and none recorded.
      const anonymous = await app.request('/api/reports', { method: 'POST', body: reportForm({ field, title: 'Rác thải bên đường lâu ngày', contact_consent: null }) });
      expect(anonymous.status).toBe(201);
      const anon = await db.selectFrom('reports').select(['contact_consent_at']).where('code', '=', ((await anonymous.json()) as Json).code).executeTakeFirstOrThrow();
      expect(anon.contact_consent_at).toBeNull();
    });
  });
}
