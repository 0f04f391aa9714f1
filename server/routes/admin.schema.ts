import { z } from 'zod';
import { inPgRange } from '../services/datetime.js';
import { MAX_PASSWORD_LENGTH } from '../services/password-policy.js';
import { coercedDbId, dbId, isoDate, PG_INT_MAX } from './common.schema.js';

const fieldCode = z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'must be a field code');
/** A partial update must change something: an empty one would reach the database as UPDATE … SET with nothing to set. */
const someChange = (body: Record<string, unknown>) => Object.values(body).some((v) => v !== undefined);
const NOTHING_TO_CHANGE = 'Send at least one field to change';

const distinct = (values: string[]) => new Set(values).size === values.length;

const name = (label: string) => z.string({ error: `${label} is required` }).trim().min(2, `${label} must be at least 2 characters`).max(200, `${label} is too long`);

export const IdParam = z.object({ id: coercedDbId('id must be a row id (1–2147483647)') });

export const NewUserBody = z.object({
  username: z.string({ error: 'username is required' }).regex(/^[a-z0-9._-]{3,40}$/, 'username: 3–40 of a-z, 0-9, . _ -'),
  display_name: name('display_name'),
  // Length and strength are the password policy's (services/password-policy.ts), which also knows the username.
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`),
  role: z.enum(['admin', 'dispatcher', 'officer', 'leader'], { error: 'role must be admin, dispatcher, officer or leader' }),
  unit_id: dbId('unit_id must be a unit id').nullable().default(null),
});

export const UpdateUserBody = z.object({
  display_name: name('display_name').optional(),
  password: NewUserBody.shape.password.optional(),
  role: NewUserBody.shape.role.optional(),
  unit_id: dbId('unit_id must be a unit id').nullable().optional(),
  disabled: z.boolean().optional(),
  reset_totp: z.literal(true, { error: 'reset_totp can only be true' }).optional(),
}).refine(someChange, NOTHING_TO_CHANGE);

const instant = (field: string) => z.iso.datetime({ offset: true, error: `${field} must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z` })
  .transform((v) => new Date(v)).refine(inPgRange, `${field} must fall in the years 0001–9999`);

const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** Filters of the audit browser; keyset pagination on the row id. */
export const AuditQuery = z.object({
  // All digits is a user id, which must fit the id column (int4); anything else a username.
  actor: z.string().trim().regex(/^([0-9]{1,10}|[a-z0-9._-]{3,40})$/i, 'actor must be a user id or a username')
    .refine((a) => !/^\d+$/.test(a) || Number(a) <= PG_INT_MAX, 'actor must be a user id or a username').optional(),
  action: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, 'action must be an action name like auth.login, or a prefix like auth.*').max(80).optional(),
  outcome: z.enum(['success', 'failure', 'refused'], { error: 'outcome must be success, failure or refused' }).optional(),
  entity: z.string().regex(/^[a-z_]{1,40}$/, 'entity must be a target kind like staff_user or report').optional(),
  entity_id: z.string().min(1).max(100).optional(),
  from: instant('from').optional(),
  to: instant('to').optional(),
  before: z.string().regex(/^[1-9][0-9]{0,18}$/, 'before must be a cursor from next_cursor').refine((b) => /^\d+$/.test(b) && BigInt(b) <= BIGINT_MAX, 'before must be a cursor from next_cursor').optional(),
  page_size: z.coerce.number({ error: 'page_size must be a number' }).int('page_size must be a whole number').min(1, 'page_size must be 1–1000').max(1000, 'page_size must be 1–1000').default(100),
});

export const UnitBody = z.object({
  code: z.string().regex(/^[a-z0-9_.-]{2,40}$/, 'code: 2–40 of a-z, 0-9, _ . -'),
  kind: z.enum(['ward_committee', 'department', 'utility', 'other'], { error: 'kind must be ward_committee, department, utility or other' }),
  name_vi: name('name_vi'),
  name_en: name('name_en'),
  email: z.email('email is not valid').nullable().default(null),
  phone: z.string().max(30).nullable().default(null),
  // Each becomes a row keyed by (unit, code): a repeated code would break that key rather than mean anything.
  area_codes: z.array(z.string().regex(/^\d{2,5}$/, 'area codes')).max(200).refine(distinct, 'area_codes must not repeat a code').default([]),
  field_codes: z.array(fieldCode).max(50).refine(distinct, 'field_codes must not repeat a code').default([]),
  active: z.boolean().default(true),
});

export const RuleBody = z.object({
  position: z.number().int().min(0).max(100_000),
  name: name('name'),
  field_codes: z.array(fieldCode).max(50).default([]),
  area_codes: z.array(z.string().regex(/^\d{2,5}$/, 'area codes')).max(200).default([]),
  keywords: z.array(z.string().trim().min(2, 'keywords must be at least 2 characters').max(60)).max(50).default([]),
  unit_id: dbId('unit_id is required and must be a unit id'),
  auto_assign: z.boolean().default(true),
  active: z.boolean().default(true),
});

export const SimulateQuery = z.object({
  lat: z.coerce.number({ error: 'lat must be a number' }).min(-90).max(90),
  lon: z.coerce.number({ error: 'lon must be a number' }).min(-180).max(180),
  field: fieldCode,
  text: z.string().max(4000).default(''),
});

export const WebhookBody = z.object({
  unit_id: dbId('unit_id must be a unit id').nullable().default(null),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }),
  secret: z.string().min(16, 'secret must be at least 16 characters').max(200),
  events: z.array(z.enum(['report.created', 'report.assigned', 'report.updated', 'report.resolved', 'report.rejected', 'report.merged', 'report.reopened', 'report.closed', 'report.withdrawn'])).min(1, 'choose at least one event'),
  active: z.boolean().default(true),
});

/** On update the secret may be left out to keep the current one (it is never sent back). */
export const WebhookUpdateBody = WebhookBody.extend({ secret: WebhookBody.shape.secret.optional() });

export const CalendarDayBody = z.object({
  day: isoDate('day must be YYYY-MM-DD'),
  kind: z.enum(['holiday', 'workday'], { error: 'kind must be holiday or workday' }),
  name: name('name'),
});

export const DayParam = z.object({ day: isoDate('day must be YYYY-MM-DD') });

/** The delivery log of one webhook, or of all. */
export const DeliveriesQuery = z.object({
  webhook: coercedDbId('webhook must be a webhook id').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const FieldUpdateBody = z.object({
  name_vi: name('name_vi').optional(),
  name_en: name('name_en').optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'color must be #rrggbb').optional(),
  deadline_days: z.number().int().min(1).max(90).optional(),
  duplicate_radius_m: z.number().int().min(10).max(5000).optional(),
  active: z.boolean().optional(),
}).refine(someChange, NOTHING_TO_CHANGE);
