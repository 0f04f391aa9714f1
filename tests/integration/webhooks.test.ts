import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deliverDue, dispatchOutbox, signWebhook } from '../../server/services/webhooks.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs, reportForm } from './factories.js';

const LOOPBACK_OK = { allowPrivate: true };

interface Received {
  eventId: string;
  type: string;
  signature: string;
  timestamp: string;
  body: string;
}

/** A loopback receiver that fails the first `failFirst` calls. */
async function receiver(failFirst = 0) {
  const received: Received[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls++;
      if (calls <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      received.push({
        eventId: String(req.headers['x-civic-event-id']), type: String(req.headers['x-civic-event-type']),
        signature: String(req.headers['x-civic-signature']), timestamp: String(req.headers['x-civic-timestamp']), body,
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, calls: () => calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

for (const engine of ENGINES) {
  describe(`webhooks from the outbox [${engine}]`, () => {
    it('delivers signed events for the unit, retries with backoff, and survives a crash between steps', async () => {
      const db = await testDb(engine);
      // The receiver listens on loopback, which only WEBHOOK_ALLOW_PRIVATE lets a webhook reach.
      const { app } = testApp(db, { WEBHOOK_ALLOW_PRIVATE: 'true' });
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const hook = await receiver(1);
      const secret = crypto.randomBytes(16).toString('hex');
      try {
        const admin = await loginAs(app, await createStaff(db, 'admin'));
        const created = await admin.request('/api/admin/webhooks', { json: { unit_id: unitId, url: hook.url, secret, events: ['report.created', 'report.assigned'] } });
        expect(created.status).toBe(201);
        const webhookId = (await created.json()).id;
        const report = await (await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) })).json();
        const outboxRows = await db.selectFrom('outbox').select(['id', 'event_id', 'type']).where('unit_id', '=', unitId).orderBy('id').execute();
        expect(outboxRows.map((o) => o.type)).toEqual(['report.created', 'report.assigned']);

        // Dispatch, then "crash" (drop everything in memory) before any delivery: nothing is lost.
        while ((await dispatchOutbox(db)) > 0);
        const pending = await db.selectFrom('webhook_deliveries').select(['outbox_id', 'delivered_at']).where('webhook_id', '=', webhookId).execute();
        expect(pending).toHaveLength(2);
        expect(pending.every((d) => d.delivered_at === null)).toBe(true);

        // A fresh worker after the restart: the first call fails (503) and is retried later.
        await deliverDue(db, undefined, new Date(), LOOPBACK_OK);
        const afterFailure = await db.selectFrom('webhook_deliveries').select(['attempts', 'last_status', 'next_attempt_at', 'delivered_at']).where('webhook_id', '=', webhookId).execute();
        const failed = afterFailure.find((d) => d.last_status === 503)!;
        expect(failed.attempts).toBe(1);
        expect(failed.delivered_at).toBeNull();
        expect(failed.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 5_000);
        await deliverDue(db, undefined, new Date(Date.now() + 60_000), LOOPBACK_OK);
        expect(hook.received.map((r) => r.eventId).sort()).toEqual(outboxRows.map((o) => o.event_id).sort());
        for (const r of hook.received) {
          expect(r.signature).toBe(`sha256=${signWebhook(secret, r.timestamp, r.body)}`);
          const body = JSON.parse(r.body);
          expect(body.id).toBe(r.eventId);
          expect(body.data.code).toBe(report.code);
          expect(r.body).not.toMatch(/manage_token|reporter_phone/);
        }
        const outboxAfter = await db.selectFrom('outbox').select('delivered_at').where('unit_id', '=', unitId).execute();
        expect(outboxAfter.every((o) => o.delivered_at !== null)).toBe(true);
        const log = await (await admin.request(`/api/admin/webhook-deliveries?webhook=${webhookId}`)).json();
        expect(log.filter((d: { delivered_at: string | null }) => d.delivered_at)).toHaveLength(2);
      } finally {
        await hook.close();
      }
    });

    it('resends a delivery whose worker died mid-send once its lease runs out', async () => {
      const db = await testDb(engine);
      // The receiver listens on loopback, which only WEBHOOK_ALLOW_PRIVATE lets a webhook reach.
      const { app } = testApp(db, { WEBHOOK_ALLOW_PRIVATE: 'true' });
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const hook = await receiver(0);
      try {
        const admin = await loginAs(app, await createStaff(db, 'admin'));
        const { id: webhookId } = await (await admin.request('/api/admin/webhooks', { json: { unit_id: unitId, url: hook.url, secret: 'x'.repeat(20), events: ['report.created'] } })).json();
        await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) });
        while ((await dispatchOutbox(db)) > 0);
        // Simulate a worker that leased the delivery and was killed: the lease pushes next_attempt_at ahead.
        await db.updateTable('webhook_deliveries').set({ next_attempt_at: new Date(Date.now() + 25_000) }).where('webhook_id', '=', webhookId).execute();
        expect(await deliverDue(db, undefined, new Date(), LOOPBACK_OK)).toBe(0);
        expect(await deliverDue(db, undefined, new Date(Date.now() + 30_000), LOOPBACK_OK)).toBe(1);
        expect(hook.received).toHaveLength(1);
      } finally {
        await hook.close();
      }
    });
  });
}
