import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { sendQueuedEmails, smtpMailer } from '../../server/services/email.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs, reportForm } from './factories.js';

interface Received {
  to: string[];
  body: string;
}

/** A real SMTP server on loopback that keeps what it receives. */
async function smtpReceiver() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString('utf8')));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

for (const engine of ENGINES) {
  describe(`e-mail notifications [${engine}]`, () => {
    it('queues an e-mail per public change for the reporter and followers with addresses, and sends each once', async () => {
      const db = await testDb(engine);
      const smtp = await smtpReceiver();
      const { app } = testApp(db, { SMTP_URL: smtp.url });
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      try {
        const report = await (await app.request('/api/reports', { method: 'POST', body: reportForm({ field, email: 'reporter@example.vn' }) })).json();
        await app.request(`/api/reports/${report.code}/follow`, { method: 'POST', body: JSON.stringify({ email: 'neighbour@example.vn', contact_consent: true }), headers: { 'content-type': 'application/json' } });
        const mailer = smtpMailer(smtp.url, 'Test <no-reply@example.vn>');
        // The follower confirms the address first (double opt-in; tests/integration/follow.test.ts covers it).
        expect(await sendQueuedEmails(db, mailer, 'https://phananh.example.vn')).toBe(1);
        // The body is quoted-printable: '=' travels as '=3D', long lines end in a soft '=' break.
        const token = /follow_token=3D([A-Za-z0-9_-]+)/.exec(smtp.received[0]!.body.replace(/=\r?\n/g, ''))![1]!;
        expect((await app.request(`/api/reports/${report.code}/follow/confirm`, { method: 'POST', body: JSON.stringify({ token }), headers: { 'content-type': 'application/json' } })).status).toBe(200);
        smtp.received.length = 0;
        const officer = await loginAs(app, await createStaff(db, 'officer', unitId));
        expect((await officer.request(`/api/staff/reports/${report.code}/actions`, { json: { action: 'accept' } })).status).toBe(200);
        expect(await sendQueuedEmails(db, mailer, 'https://phananh.example.vn')).toBe(2);
        expect(await sendQueuedEmails(db, mailer, 'https://phananh.example.vn')).toBe(0);
        expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['neighbour@example.vn', 'reporter@example.vn']);
        for (const m of smtp.received) {
          expect(m.body).toContain(`https://phananh.example.vn/r/${report.code}`);
          expect(m.body).toContain(report.code);
        }
        const rows = await db.selectFrom('notifications as n').innerJoin('reports as r', 'r.id', 'n.report_id')
          .select(['n.channel', 'n.sent_at']).where('r.code', '=', report.code).where('n.channel', '=', 'email').where('n.status', '!=', 'follow_confirm').execute();
        expect(rows).toHaveLength(2);
        expect(rows.every((r) => r.sent_at !== null)).toBe(true);
      } finally {
        await smtp.close();
      }
    });

    it('queues no e-mail when SMTP is not configured', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const report = await (await app.request('/api/reports', { method: 'POST', body: reportForm({ field, email: 'reporter@example.vn' }) })).json();
      const officer = await loginAs(app, await createStaff(db, 'officer', unitId));
      await officer.request(`/api/staff/reports/${report.code}/actions`, { json: { action: 'accept' } });
      const rows = await db.selectFrom('notifications as n').innerJoin('reports as r', 'r.id', 'n.report_id')
        .select('n.channel').where('r.code', '=', report.code).execute();
      expect(rows.map((r) => r.channel)).toEqual(['page']);
    });
  });
}
