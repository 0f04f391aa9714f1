import path from 'node:path';
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { langOf, validationFailed, zodFieldErrors } from '../errors.js';
import { msg } from '../messages.js';
import {
  confirmFollow, countReports, createReport, followReport, listReports, nearbyReports, publicReport, rateReport, withdrawReport, type ReportsDeps,
} from '../services/reports.js';
import { HONEYPOT_FIELD, SubmissionSignals } from './abuse.schema.js';
import { removeTemporaryFiles } from '../services/media/uploads.js';
import { parseMultipart } from './multipart.js';
import { enforceRateLimit, rateLimit, requester, submitterKey, UNKNOWN_ADDRESS } from './rate-limit.js';
import {
  CodeParam, ContactConsentField, FollowBody, FollowConfirmBody, ListReportsQuery, NearbyQuery, NewReportForm, RatingBody, WithdrawBody,
} from './reports.schema.js';
import { validate } from './validate.js';

const MB = 1024 * 1024;
export const UPLOAD_LIMITS = {
  files: {
    photos: { maxFiles: 5, maxBytes: 10 * MB, label: '10 MB' },
    video: { maxFiles: 1, maxBytes: 50 * MB, label: '50 MB' },
  },
  maxTotalBytes: 80 * MB,
  maxFields: 20,
  maxFieldBytes: 16 * 1024,
};

export const reportsRoutes = (deps: AppDeps) => {
  const services: ReportsDeps = {
    db: deps.db, storage: deps.storage, publicBaseUrl: deps.config.publicBaseUrl, email: !!deps.config.smtpUrl,
    antiSpam: { minFillSeconds: deps.config.minFillSeconds, duplicateWindowMinutes: deps.config.duplicateWindowMinutes },
  };
  return new Hono()
    .post('/', rateLimit(deps, 'reports'), async (c) => {
      const { fields: all, files } = await parseMultipart(c.req.raw, UPLOAD_LIMITS, path.join(deps.config.mediaDir, 'tmp'));
      // The anti-spam signals are not part of the report; the report schema never sees them.
      const { [HONEYPOT_FIELD]: honeypot, opened_at, contact_consent, ...fields } = all;
      const signals = SubmissionSignals.parse({ [HONEYPOT_FIELD]: honeypot, opened_at });
      const parsed = NewReportForm.safeParse(fields);
      const consent = ContactConsentField.safeParse(contact_consent);
      if (!parsed.success || !consent.success) {
        await removeTemporaryFiles(files);
        throw validationFailed({
          ...(parsed.success ? {} : zodFieldErrors(parsed.error)),
          ...(consent.success ? {} : { contact_consent: msg('input.boolean', { field: 'contact_consent' }) }),
        });
      }
      const who = requester(c, deps);
      const result = await createReport(services, parsed.data, files, c.req.header('Idempotency-Key') || undefined, {
        clientKey: submitterKey(who), honeypot: signals[HONEYPOT_FIELD], openedAt: signals.opened_at,
        address: who.ip === UNKNOWN_ADDRESS ? undefined : who.ip, contactConsent: consent.data,
      });
      c.header('Cache-Control', 'no-store');
      return c.json(result.body, result.status as 201);
    })
    .get('/', rateLimit(deps, 'public_read'), validate('query', ListReportsQuery), async (c) => {
      const q = c.req.valid('query');
      return c.json(await listReports(services, { bbox: q.bbox, fields: q.field, statuses: q.status, limit: q.limit, cursor: q.cursor }));
    })
    .get('/count', rateLimit(deps, 'public_read'), validate('query', ListReportsQuery.omit({ limit: true, cursor: true })), async (c) => {
      const q = c.req.valid('query');
      return c.json(await countReports(services, { bbox: q.bbox, fields: q.field, statuses: q.status }));
    })
    .get('/nearby', rateLimit(deps, 'public_read'), validate('query', NearbyQuery), async (c) => c.json(await nearbyReports(services, c.req.valid('query'))))
    .get('/:code', validate('param', CodeParam), async (c) => c.json(await publicReport(services, c.req.valid('param').code, langOf(c))))
    .post('/:code/follow', rateLimit(deps, 'follow'), validate('param', CodeParam), validate('json', FollowBody), async (c) => {
      const body = c.req.valid('json');
      // One address cannot be signed up to report after report from many devices either.
      if (body.email) await enforceRateLimit(c, deps, 'follow', { client: `email:${body.email.toLowerCase()}` });
      c.header('Cache-Control', 'no-store');
      // The person, when they leave no phone or e-mail: their device, or (a client without one, such as a script) their address.
      const person = submitterKey(requester(c, deps));
      return c.json(await followReport(services, c.req.valid('param').code, body, person ? { personKey: person } : {}));
    })
    .post('/:code/follow/confirm', rateLimit(deps, 'follow'), validate('param', CodeParam), validate('json', FollowConfirmBody), async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(await confirmFollow(services, c.req.valid('param').code, c.req.valid('json').token));
    })
    .post('/:code/rating', validate('param', CodeParam), validate('json', RatingBody), async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(await rateReport(services, c.req.valid('param').code, c.req.valid('json')));
    })
    .post('/:code/withdraw', validate('param', CodeParam), validate('json', WithdrawBody), async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(await withdrawReport(services, c.req.valid('param').code, c.req.valid('json')));
    });
};
