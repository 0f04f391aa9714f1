import path from 'node:path';
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { validationFailed, zodFieldErrors } from '../errors.js';
import { markReportSender } from '../services/abuse.js';
import { assignableUnits, bulkAssign, performAction, publishResponse, staffInbox, staffReportDetail, type StaffDeps } from '../services/staff-reports.js';
import { AbuseBody } from './abuse.schema.js';
import { removeTemporaryFiles } from '../services/media/uploads.js';
import { parseMultipart } from './multipart.js';
import { CodeParam } from './reports.schema.js';
import { UPLOAD_LIMITS } from './reports.js';
import { clientIp, requireStaff, type StaffEnv } from './session.js';
import { ActionBody, BulkAssignBody, ResponseForm, StaffListQuery } from './staff.schema.js';
import { validate } from './validate.js';

const RESPONSE_LIMITS = { ...UPLOAD_LIMITS, files: { photos: UPLOAD_LIMITS.files.photos } };

export const staffRoutes = (deps: AppDeps) => {
  const services: StaffDeps = { db: deps.db, storage: deps.storage, email: !!deps.config.smtpUrl };
  return new Hono<StaffEnv>()
    .use(requireStaff(deps))
    .get('/units', async (c) => c.json(await assignableUnits(services)))
    .get('/reports', validate('query', StaffListQuery), async (c) => c.json(await staffInbox(services, c.var.staff, c.req.valid('query'))))
    .post('/reports/bulk-assign', validate('json', BulkAssignBody), async (c) => {
      const { codes, unit_id } = c.req.valid('json');
      return c.json(await bulkAssign(services, c.var.staff, codes, unit_id, clientIp(c)));
    })
    .get('/reports/:code', validate('param', CodeParam), async (c) => c.json(await staffReportDetail(services, c.var.staff, c.req.valid('param').code)))
    .post('/reports/:code/actions', validate('param', CodeParam), validate('json', ActionBody), async (c) =>
      c.json(await performAction(services, c.var.staff, c.req.valid('param').code, c.req.valid('json'), clientIp(c))),
    )
    .post('/reports/:code/abuse', validate('param', CodeParam), validate('json', AbuseBody), async (c) =>
      c.json(await markReportSender(services, c.var.staff, c.req.valid('param').code, c.req.valid('json'), clientIp(c))),
    )
    .post('/reports/:code/response', validate('param', CodeParam), async (c) => {
      const { fields, files } = await parseMultipart(c.req.raw, RESPONSE_LIMITS, path.join(deps.config.mediaDir, 'tmp'));
      const parsed = ResponseForm.safeParse(fields);
      if (!parsed.success) {
        await removeTemporaryFiles(files);
        throw validationFailed(zodFieldErrors(parsed.error));
      }
      return c.json(await publishResponse(services, c.var.staff, c.req.valid('param').code, parsed.data, files, clientIp(c)), 201);
    });
};
