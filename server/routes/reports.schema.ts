import { z } from 'zod';
import { REPORT_STATUSES } from '../db/database.js';
import { messageKey as k } from '../messages.js';
import { latitude, longitude } from './areas.schema.js';
import { cursor } from './common.schema.js';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Plain text: trimmed, NFC, no control characters other than line breaks and tabs. Messages name the field from its path. */
const plainText = (min: number, max: number) =>
  z
    .string({ error: k('input.required') })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min, k('input.too_short'))
        .max(max, k('input.too_long'))
        .refine((s) => !CONTROL.test(s), k('input.control_characters')),
    );

const boolish = z
  .enum(['true', 'false', 'on', 'off', '1', '0'], { error: k('input.boolean') })
  .transform((v) => v === 'true' || v === 'on' || v === '1');

export const NewReportForm = z.object({
  field: z.string({ error: k('input.required') }).regex(/^[a-z][a-z0-9_]{1,31}$/, k('input.field_code')),
  title: plainText(5, 150),
  description: plainText(10, 4000),
  lat: z.preprocess(emptyAsUndefined, latitude.refine((v) => v !== undefined, k('input.required'))),
  lon: z.preprocess(emptyAsUndefined, longitude.refine((v) => v !== undefined, k('input.required'))),
  name: z.preprocess(emptyAsUndefined, plainText(2, 100).optional()),
  phone: z.preprocess(
    emptyAsUndefined,
    z.string().transform((s) => s.replace(/[\s.-]/g, '')).pipe(z.string().regex(/^(\+?84|0)\d{8,10}$/, k('input.phone'))).optional(),
  ),
  email: z.preprocess(emptyAsUndefined, z.email(k('input.email')).max(254, k('input.email_long')).optional()),
  hide_name: z.preprocess(emptyAsUndefined, boolish.default(false)),
});

const commaList = <T extends z.ZodType>(item: T, name: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v !== '' ? v.split(',') : undefined),
    z.array(item).max(20, `${name}: at most 20 values`).optional(),
  );

const splitBbox = (v: unknown) => (typeof v === 'string' && v !== '' ? v.split(',').map(Number) : undefined);
const bboxTuple = z
  .tuple([longitude, latitude, longitude, latitude], { error: 'bbox must be west,south,east,north' })
  .refine(([w, s, e, n]) => w < e && s < n, 'bbox must be west,south,east,north with west < east and south < north');

export const bbox = z.preprocess(splitBbox, bboxTuple.optional());
/**
 * For endpoints that cannot answer without one. Not bbox.refine(defined):
 * zod skips an absent key whose schema is optional, refinements and all.
 */
export const requiredBbox = z.preprocess(splitBbox, bboxTuple);

export const ListReportsQuery = z.object({
  bbox,
  field: commaList(z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'field must be field codes'), 'field'),
  status: commaList(z.enum(REPORT_STATUSES, { error: `status must be one of ${REPORT_STATUSES.join(', ')}` }), 'status'),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be an integer').min(1, 'limit must be 1–1000').max(1000, 'limit must be 1–1000').default(200),
  cursor: cursor.optional(),
});

export const NearbyQuery = z.object({
  lat: latitude,
  lon: longitude,
  field: z.string({ error: 'field is required' }).regex(/^[a-z][a-z0-9_]{1,31}$/, 'field must be a field code'),
});

export const CodeParam = z.object({
  code: z.string().transform((s) => s.toUpperCase().replace(/[\s-]/g, '')).pipe(z.string().regex(/^[2-9A-Z]{8}$/, k('input.tracking_code'))),
});

/** The citizen form's consent box (Decree 13/2023): checked means "true" (or "on", as an HTML checkbox sends it). */
export const ContactConsentField = z.preprocess(emptyAsUndefined, z.enum(['true', 'on', '1', 'false', '0'], { error: k('input.boolean') })
  .transform((v) => v === 'true' || v === 'on' || v === '1').optional());

export const FollowBody = z.object({
  name: z.preprocess(emptyAsUndefined, plainText(2, 100).optional()),
  phone: NewReportForm.shape.phone,
  email: NewReportForm.shape.email,
  /** Agreement to the contact-data notice; required when name, phone or email is given. */
  contact_consent: z.boolean({ error: k('input.boolean') }).optional(),
});

export const FollowConfirmBody = z.object({
  token: z.string({ error: k('input.required') }).min(10, k('input.invalid')).max(100, k('input.invalid')),
});

export const RatingBody = z.object({
  manage_token: z.string({ error: k('input.required') }).min(10, k('input.invalid')).max(100, k('input.invalid')),
  satisfied: z.boolean({ error: k('input.boolean') }),
  comment: z.preprocess(emptyAsUndefined, plainText(1, 2000).optional()),
});

export const WithdrawBody = z.object({
  manage_token: RatingBody.shape.manage_token,
  reason: z.preprocess(emptyAsUndefined, plainText(1, 1000).optional()),
});
