import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import * as admin from '../services/admin.js';
import {
  AuditQuery, CalendarDayBody, DayParam, DeliveriesQuery, FieldUpdateBody, IdParam, NewUserBody, RuleBody, SimulateQuery, UnitBody, UpdateUserBody,
  WebhookBody, WebhookUpdateBody,
} from './admin.schema.js';
import { requestAddress } from './rate-limit.js';
import { requireStaff, type StaffEnv } from './session.js';
import { validate } from './validate.js';

const FieldParam = z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'code must be a field code') });
/** A key acts for one unit's reports, or only on the requests filed with it; the admin says which. */
const ApiKeyBody = z.object({
  client_name: z.string({ error: 'client_name is required' }).trim().min(1, 'client_name is required').max(100, 'client_name is too long'),
  scope: z.enum(['own', 'unit'], { error: 'scope must be own or unit' }),
  unit_id: z.number({ error: 'unit_id must be a unit id' }).int('unit_id must be a unit id').positive('unit_id must be a unit id').max(2_147_483_647, 'unit_id must be a unit id').nullish(),
}).refine((b) => b.scope !== 'unit' || b.unit_id != null, { path: ['unit_id'], message: 'Choose the unit whose reports the key may update' })
  .refine((b) => b.scope !== 'own' || b.unit_id == null, { path: ['unit_id'], message: 'A key for its own requests has no unit' });

/** Administration; everything here is admin-only and audited. */
export const adminRoutes = (deps: AppDeps) => {
  const { db } = deps;
  const webhookPolicy = { allowPrivate: deps.config.webhookAllowPrivate };
  return new Hono<StaffEnv>()
    .use(requireStaff(deps, ['admin']))
    .get('/users', async (c) => c.json(await admin.listStaff(db)))
    .post('/users', validate('json', NewUserBody), async (c) => c.json(await admin.createUser(db, c.var.staff, c.req.valid('json')), 201))
    .patch('/users/:id', validate('param', IdParam), validate('json', UpdateUserBody), async (c) =>
      c.json(await admin.changeUser(db, c.var.staff, c.req.valid('param').id, c.req.valid('json'), requestAddress(c, deps.config.rateLimits.trustProxy))),
    )
    .get('/audit', validate('query', AuditQuery), async (c) => c.json(await admin.browseAudit(db, c.req.valid('query'))))
    .get('/units', async (c) => c.json(await admin.listUnits(db)))
    .post('/units', validate('json', UnitBody), async (c) => c.json(await admin.saveUnit(db, c.var.staff, undefined, c.req.valid('json')), 201))
    .put('/units/:id', validate('param', IdParam), validate('json', UnitBody), async (c) =>
      c.json(await admin.saveUnit(db, c.var.staff, c.req.valid('param').id, c.req.valid('json'))),
    )
    .patch('/fields/:code', validate('param', FieldParam), validate('json', FieldUpdateBody), async (c) =>
      c.json(await admin.updateField(db, c.var.staff, c.req.valid('param').code, c.req.valid('json'))),
    )
    .get('/routing-rules', async (c) => c.json(await admin.listRules(db)))
    .post('/routing-rules', validate('json', RuleBody), async (c) => c.json(await admin.saveRule(db, c.var.staff, undefined, c.req.valid('json')), 201))
    .put('/routing-rules/:id', validate('param', IdParam), validate('json', RuleBody), async (c) =>
      c.json(await admin.saveRule(db, c.var.staff, c.req.valid('param').id, c.req.valid('json'))),
    )
    .delete('/routing-rules/:id', validate('param', IdParam), async (c) => {
      await admin.removeRule(db, c.var.staff, c.req.valid('param').id);
      return c.json({ ok: true });
    })
    .get('/routing/simulate', validate('query', SimulateQuery), async (c) => c.json(await admin.simulateRouting(db, c.req.valid('query'))))
    .get('/webhooks', async (c) => c.json(await admin.listWebhooks(db)))
    .post('/webhooks', validate('json', WebhookBody), async (c) => c.json(await admin.saveWebhook(db, c.var.staff, undefined, c.req.valid('json'), webhookPolicy), 201))
    .put('/webhooks/:id', validate('param', IdParam), validate('json', WebhookUpdateBody), async (c) =>
      c.json(await admin.saveWebhook(db, c.var.staff, c.req.valid('param').id, c.req.valid('json'), webhookPolicy)),
    )
    .delete('/webhooks/:id', validate('param', IdParam), async (c) => {
      await admin.removeWebhook(db, c.var.staff, c.req.valid('param').id);
      return c.json({ ok: true });
    })
    .get('/webhook-deliveries', validate('query', DeliveriesQuery), async (c) => {
      const q = c.req.valid('query');
      return c.json(await admin.listDeliveries(db, q.webhook, q.limit));
    })
    .get('/api-keys', async (c) => c.json(await admin.apiKeys(db)))
    .post('/api-keys', validate('json', ApiKeyBody), async (c) => {
      c.header('Cache-Control', 'no-store');
      const body = c.req.valid('json');
      return c.json(await admin.issueApiKey(db, c.var.staff, body.client_name, body.scope === 'unit' ? { unitId: body.unit_id! } : { own: true }), 201);
    })
    .delete('/api-keys/:id', validate('param', IdParam), async (c) => {
      await admin.withdrawApiKey(db, c.var.staff, c.req.valid('param').id);
      return c.json({ ok: true });
    })
    .get('/calendar', async (c) => c.json(await admin.calendar(db)))
    .put('/calendar', validate('json', CalendarDayBody), async (c) => {
      await admin.saveCalendarDay(db, c.var.staff, c.req.valid('json'));
      return c.json({ ok: true });
    })
    .delete('/calendar/:day', validate('param', DayParam), async (c) => {
      await admin.removeCalendarDay(db, c.var.staff, c.req.valid('param').day);
      return c.json({ ok: true });
    });
};
