import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { createLogger } from '../../server/log.js';
import { sendQueuedEmails, smtpMailer } from '../../server/services/email.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';
import { ENGINES, testApp, testConfig, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs, postReport, reportForm } from './factories.js';

type Json = Record<string, any>;
type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

const device = () => crypto.randomBytes(16).toString('hex');

function follow(app: App, code: string, body: Json, headers: Record<string, string> = {}) {
  return app.request(`/api/reports/${code}/follow`, {
    method: 'POST', body: JSON.stringify({ contact_consent: true, ...body }), headers: { 'content-type': 'application/json', ...headers },
  });
}

async function followerRows(db: Kysely<Database>, code: string) {
  const r = await db.selectFrom('reports').select(['id', 'follower_count']).where('code', '=', code).executeTakeFirstOrThrow();
  const rows = await db.selectFrom('report_followers').select(['phone', 'email', 'device_key', 'email_confirmed_at']).where('report_id', '=', r.id).execute();
  return { count: r.follower_count, rows };
}

/** A real SMTP server on loopback that keeps what it receives. */
async function smtpReceiver() {
  const received: { to: string; body: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString('utf8')));
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) received.push({ to: r.address, body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The plain text of a quoted-printable mail body (enough for the ASCII links checked here). */
const decodeQp = (body: string) => body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));


for (const engine of ENGINES) {
  describe(`follow [${engine}]`, () => {
    async function setup(env: NodeJS.ProcessEnv = {}) {
      const db = await testDb(engine);
      const { app } = testApp(db, env);
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const report = (await (await postReport(app, reportForm({ field }))).json()) as Json;
      return { db, app, field, unitId, code: report.code as string };
    }

    it('counts one follow per person: 40 follows from one device and e-mail count once', async () => {
      const { db, app, code } = await setup();
      const d = device();
      const answers = [];
      for (let i = 0; i < 40; i++) answers.push(await follow(app, code, { email: 'Hang.Xom@example.vn' }, { 'X-Device-Id': d }));
      expect(answers.every((r) => r.status === 200)).toBe(true);
      const last = (await answers.at(-1)!.json()) as Json;
      expect(last).toMatchObject({ code, follower_count: 1, already_following: true });
      // The same address in other capitals, from another device, is the same person.
      await follow(app, code, { email: 'hang.xom@EXAMPLE.vn' }, { 'X-Device-Id': device() });
      // The same phone spelled differently, too.
      await follow(app, code, { phone: '0912 345 678' });
      await follow(app, code, { phone: '+84912345678' }, { 'X-Device-Id': device() });
      const { count, rows } = await followerRows(db, code);
      expect(count).toBe(2);
      expect(rows).toHaveLength(2);
      // A client without a device id (a script) is its address: one follow however often it asks.
      const script = { incoming: { socket: { remoteAddress: `192.0.2.${crypto.randomInt(1, 255)}` } } };
      const bare = () => app.request(`/api/reports/${code}/follow`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, script);
      for (let i = 0; i < 5; i++) expect((await bare()).status).toBe(200);
      expect((await followerRows(db, code)).count).toBe(3);
    });

    it('holds under concurrency: 20 simultaneous follows from one phone count once', async () => {
      const { db, app, code } = await setup();
      const answers = await Promise.all(Array.from({ length: 20 }, () => follow(app, code, { phone: '0987000111' }, { 'X-Device-Id': device() })));
      expect(answers.map((r) => r.status).every((s) => s === 200)).toBe(true);
      expect((await followerRows(db, code)).count).toBe(1);
    });

    it('answers 404 for a report held for review, as every other public route does', async () => {
      const { db, app, code } = await setup();
      await db.updateTable('reports').set({ needs_review: true }).where('code', '=', code).execute();
      const res = await follow(app, code, { phone: '0987000222' });
      expect(res.status).toBe(404);
      expect((await followerRows(db, code)).count).toBe(0);
    });

    it('sends e-mail to a follower only after they confirm by the single-use link, which expires', async () => {
      const smtp = await smtpReceiver();
      const { db, app, code, unitId } = await setup({ SMTP_URL: smtp.url });
      try {
        const mailer = smtpMailer(smtp.url, 'Test <no-reply@example.vn>');
        const followRes = await follow(app, code, { email: 'neighbour@example.vn' });
        const followed = (await followRes.json()) as Json;
        expect(followRes.status, JSON.stringify(followed)).toBe(200);
        expect(followed.email_confirmation).toBe('sent');
        // The only mail so far is the confirmation, with its link.
        await sendQueuedEmails(db, mailer, 'https://phananh.example.vn');
        expect(smtp.received.map((m) => m.to)).toEqual(['neighbour@example.vn']);
        const link = /https:\/\/phananh\.example\.vn\/r\/([A-Z0-9]{8})\?follow_token=([A-Za-z0-9_-]+)/.exec(decodeQp(smtp.received[0]!.body));
        expect(link?.[1]).toBe(code);
        const token = link![2]!;

        // Before confirming: a status change e-mails nobody.
        const officer = await loginAs(app, await createStaff(db, 'officer', unitId));
        expect((await officer.request(`/api/staff/reports/${code}/actions`, { json: { action: 'accept' } })).status).toBe(200);
        expect(await sendQueuedEmails(db, mailer, 'https://phananh.example.vn')).toBe(0);

        const confirm = (t: string) => app.request(`/api/reports/${code}/follow/confirm`, {
          method: 'POST', body: JSON.stringify({ token: t }), headers: { 'content-type': 'application/json' },
        });
        expect((await confirm('not-the-token-at-all')).status).toBe(400);
        const ok = await confirm(token);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ code, confirmed: true });
        // Single use.
        expect((await confirm(token)).status).toBe(400);
        expect((await followerRows(db, code)).rows[0]!.email_confirmed_at).not.toBeNull();

        // An expired link confirms nothing.
        await follow(app, code, { email: 'late@example.vn' });
        await sendQueuedEmails(db, mailer, 'https://phananh.example.vn');
        const late = /follow_token=([A-Za-z0-9_-]+)/.exec(decodeQp(smtp.received.at(-1)!.body))![1]!;
        await db.updateTable('report_followers').set({ confirm_expires_at: new Date(Date.now() - 1000) }).where('email', '=', 'late@example.vn').execute();
        expect((await confirm(late)).status).toBe(400);
        // Following again asks for a fresh link, which works; the count does not move.
        const again = (await (await follow(app, code, { email: 'LATE@example.vn' })).json()) as Json;
        expect(again).toMatchObject({ already_following: true, email_confirmation: 'sent', follower_count: 2 });
        await sendQueuedEmails(db, mailer, 'https://phananh.example.vn');
        const fresh = /follow_token=([A-Za-z0-9_-]+)/.exec(decodeQp(smtp.received.at(-1)!.body))![1]!;
        expect(fresh).not.toBe(late);
        expect((await confirm(fresh)).status).toBe(200);
        // A confirmed address asks for nothing more.
        expect(((await (await follow(app, code, { email: 'late@example.vn' })).json()) as Json).email_confirmation).toBeUndefined();

        expect((await officer.request(`/api/staff/reports/${code}/actions`, { json: { action: 'resolve', note: 'Đã vá ổ gà' } })).status).toBe(200);
        // Both addresses are confirmed now: each gets the change, once.
        expect(await sendQueuedEmails(db, mailer, 'https://phananh.example.vn')).toBe(2);
        expect(await sendQueuedEmails(db, mailer, 'https://phananh.example.vn')).toBe(0);
        expect(smtp.received.slice(3).map((m) => m.to).sort()).toEqual(['late@example.vn', 'neighbour@example.vn']);
        expect(smtp.received.slice(3).every((m) => !m.body.includes('follow_token'))).toBe(true);
      } finally {
        await smtp.close();
      }
    });

    it('is rate-limited per device and per e-mail address', async () => {
      const db = await testDb(engine);
      const config = testConfig({ RATE_LIMITS: 'on', RATE_LIMIT_FOLLOW: '1000/10m,3/10m' });
      const app = createApp({ db, config, logger: createLogger('silent'), storage: new LocalDiskStorage(config.mediaDir) });
      const field = await createField(db);
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await postReport(app, reportForm({ field, title: `Đèn đường hỏng số ${i}` }), { 'X-Device-Id': device() });
        codes.push(((await r.json()) as Json).code);
      }
      const d = device();
      const statuses = [];
      for (const code of codes.slice(0, 4)) statuses.push((await follow(app, code, {}, { 'X-Device-Id': d })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // One address cannot be signed up to many reports from many devices either.
      const byMail = [];
      const victim = `victim-${device().slice(0, 8)}@example.vn`;
      for (const code of codes) byMail.push((await follow(app, code, { email: victim }, { 'X-Device-Id': device() })).status);
      expect(byMail).toEqual([200, 200, 200, 429, 429]);
    });

    it('refuses contact details without consent, field by field', async () => {
      const { db, app, code } = await setup();
      const res = await app.request(`/api/reports/${code}/follow`, {
        method: 'POST', body: JSON.stringify({ name: 'Hàng xóm', phone: '0987000333' }), headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as Json;
      expect(Object.keys(body.error.fields).sort()).toEqual(['name', 'phone']);
      expect((await followerRows(db, code)).count).toBe(0);
      // Without contact details no consent is needed.
      expect((await app.request(`/api/reports/${code}/follow`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'X-Device-Id': device() } })).status).toBe(200);
    });
  });
}
