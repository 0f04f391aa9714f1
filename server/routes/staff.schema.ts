import { z } from 'zod';
import { REPORT_STATUSES, SLA_STATES } from '../db/database.js';
import { inPgRange } from '../services/datetime.js';
import { REJECT_REASONS } from '../services/staff-reports.js';
import { coercedDbId, cursor, dbId, noNul } from './common.schema.js';

const list = <T extends z.ZodType>(item: T, name: string) =>
  z.preprocess((v) => (typeof v === 'string' && v !== '' ? v.split(',') : undefined), z.array(item).max(30, `${name}: at most 30 values`).optional());

const note = (name: string, max = 4000) => z.string({ error: `${name} is required` }).trim().min(1, `${name} is required`).max(max, `${name} is too long`);

export const StaffListQuery = z.object({
  inbox: z.enum(['all', 'dispatch', 'unit', 'overdue'], { error: 'inbox must be all, dispatch, unit or overdue' }).default('all'),
  status: list(z.enum(REPORT_STATUSES, { error: 'unknown status' }), 'status'),
  field: list(z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'field must be field codes'), 'field'),
  sla: list(z.enum(SLA_STATES, { error: `sla must be one of ${SLA_STATES.join(', ')}` }), 'sla'),
  area: z.string().regex(/^\d{2,5}$/, 'area must be an area code').optional(),
  unit: list(coercedDbId('unit must be unit ids'), 'unit'),
  sort: z.enum(['created', 'due'], { error: 'sort must be created or due' }).default('created'),
  page_size: z.coerce.number({ error: 'page_size must be a whole number 1–1000' }).int('page_size must be a whole number 1–1000')
    .min(1, 'page_size must be 1–1000').max(1000, 'page_size must be at most 1000').optional(),
  /** The former name of page_size, still read so old links keep working. */
  limit: z.coerce.number({ error: 'limit must be a whole number 1–1000' }).int('limit must be a whole number 1–1000')
    .min(1, 'limit must be 1–1000').max(1000, 'limit must be at most 1000').optional(),
  cursor: cursor.optional(),
}).transform(({ limit, page_size, ...q }) => ({ ...q, page_size: page_size ?? limit ?? 50 }));

const version = { version: z.number().int().positive().optional() };

export const ActionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('verify'), note: note('note').optional(), ...version }),
  z.object({ action: z.literal('reject'), reason: z.enum(REJECT_REASONS, { error: `reason must be one of ${REJECT_REASONS.join(', ')}` }), note: note('note').optional(), ...version }),
  z.object({ action: z.literal('classify'), field: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'field must be a field code'), ...version }),
  z.object({ action: z.literal('assign'), unit_id: dbId('unit_id is required and must be a unit id'), note: note('note').optional(), ...version }),
  z.object({ action: z.literal('accept'), ...version }),
  z.object({ action: z.literal('decline'), reason: note('reason', 1000), ...version }),
  z.object({ action: z.literal('progress'), note: note('note'), public: z.boolean().default(true), ...version }),
  z.object({ action: z.literal('resolve'), note: note('note'), ...version }),
  z.object({ action: z.literal('merge'), parent_code: z.string().transform((s) => s.toUpperCase()).pipe(z.string().regex(/^[2-9A-Z]{8}$/, 'parent_code must be a tracking code')), ...version }),
  z.object({
    action: z.literal('set_deadline'),
    due_at: z.iso.datetime({ offset: true, error: 'due_at must be an ISO date-time with offset' })
      .refine((s) => inPgRange(new Date(s)), 'due_at must fall in the years 0001–9999'),
    reason: note('reason', 1000),
    ...version,
  }),
], { error: 'action must be one of verify, reject, classify, assign, accept, decline, progress, resolve, merge, set_deadline' });

export const ResponseForm = z.object({
  text: z.string({ error: 'text is required' }).transform((s) => s.normalize('NFC').trim()).pipe(z.string().min(10, 'text must be at least 10 characters').max(4000, 'text must be at most 4000 characters')),
  version: z.preprocess((v) => (v === '' || v === undefined ? undefined : Number(v)), z.number().int().positive('version must be a positive integer').optional()),
}).superRefine(noNul);

export const BulkAssignBody = z.object({
  codes: z.array(z.string().regex(/^[2-9A-Z]{8}$/, 'each code must be a tracking code')).min(1, 'codes must not be empty').max(200, 'at most 200 codes'),
  unit_id: dbId('unit_id is required and must be a unit id'),
});
