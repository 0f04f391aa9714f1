import { z } from 'zod';
import { parseOpen311DateTime } from '../services/datetime.js';
import { EXTENDED_STATUSES } from '../services/open311.js';
import { noNul } from './common.schema.js';
import { bbox } from './reports.schema.js';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Open311 clients send empty strings for what they leave out; the spec treats those as absent. */
const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

const text = (name: string, max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z.string().max(max, `${name} must be at most ${max} characters`).refine((s) => !CONTROL.test(s), `${name} contains invalid control characters`),
    );

const datetime = (name: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const d = parseOpen311DateTime(s);
      if (!d) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an ISO-8601 date or datetime, e.g. 2025-07-01T08:00:00+07:00` });
        return z.NEVER;
      }
      return d;
    });

const lat = z.coerce.number({ error: 'lat must be a number' }).refine(Number.isFinite, 'lat must be a number').min(-90, 'lat must be between -90 and 90').max(90, 'lat must be between -90 and 90');
const long = z.coerce.number({ error: 'long must be a number' }).refine(Number.isFinite, 'long must be a number').min(-180, 'long must be between -180 and 180').max(180, 'long must be between -180 and 180');

const serviceCode = z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'service_code must be a code from services.json');
const requestId = z.string().transform((s) => s.toUpperCase().replace(/[\s-]/g, ''));

const commaList = <T extends z.ZodType>(item: T, name: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined),
    z.array(item).max(max, `${name}: at most ${max} values`).optional(),
  );

export const JurisdictionQuery = z.object({
  jurisdiction_id: optional(z.string().max(100, 'jurisdiction_id is too long')),
});

const PAGE_TOKEN = 'page must be 1 or the token from the Link rel="next" header of the previous page';

export const RequestsQuery = JurisdictionQuery.extend({
  service_request_id: commaList(requestId, 'service_request_id', 100),
  service_code: commaList(serviceCode, 'service_code', 50),
  start_date: optional(datetime('start_date')),
  end_date: optional(datetime('end_date')),
  status: commaList(z.enum(['open', 'closed'], { error: 'status must be open, closed or both (open,closed)' }), 'status', 2),
  updated_after: optional(datetime('updated_after')),
  bbox,
  // Keyset paging: "1" (or nothing) is the first page; the next is the token in the previous reply's Link header.
  page: optional(z.string().max(200, PAGE_TOKEN).regex(/^(1|[A-Za-z0-9_-]+)$/, PAGE_TOKEN)),
  page_size: optional(z.coerce.number({ error: 'page_size must be a number' }).int('page_size must be a whole number').min(1, 'page_size must be 1–1000').max(1000, 'page_size must be 1–1000')),
});

export const UpdatesQuery = JurisdictionQuery.extend({
  start_date: optional(datetime('start_date')),
  end_date: optional(datetime('end_date')),
});

const contact = {
  email: optional(z.email('email is not a valid address').max(254, 'email is too long')),
  first_name: optional(text('first_name', 100)),
  last_name: optional(text('last_name', 100)),
  phone: optional(
    z.string().transform((s) => s.replace(/[\s.()-]/g, '')).pipe(z.string().regex(/^\+?\d{6,15}$/, 'phone must be a phone number, e.g. 0912345678 or +84912345678')),
  ),
};

const mediaUrl = optional(z.url({ protocol: /^https?$/, error: 'media_url must be an http(s) URL' }).max(2000, 'media_url is too long'));

const DESCRIPTION_REQUIRED = 'description is required: say what the problem is in at least 10 characters';

export const PostRequestForm = z.object({
  jurisdiction_id: JurisdictionQuery.shape.jurisdiction_id,
  api_key: optional(z.string().max(200, 'api_key is not valid')),
  service_code: z.preprocess(emptyAsUndefined, z.string({ error: 'service_code is required' }).pipe(serviceCode)),
  lat: optional(lat),
  long: optional(long),
  address_string: optional(text('address_string', 500)),
  address_id: optional(z.string().max(100)),
  description: z.preprocess(
    emptyAsUndefined,
    z.string({ error: DESCRIPTION_REQUIRED }).pipe(text('description', 4000)).refine((v) => v.length >= 10, DESCRIPTION_REQUIRED),
  ),
  media_url: mediaUrl,
  device_id: optional(z.string().max(200)),
  account_id: optional(z.string().max(200)),
  ...contact,
}).refine((f) => (f.lat === undefined) === (f.long === undefined), { path: ['long'], message: 'Send lat and long together' })
  .refine((f) => f.lat !== undefined || f.address_string !== undefined, { path: ['lat'], message: 'A location is required: lat and long, or address_string' })
  .superRefine(noNul);

export const PostUpdateForm = z.object({
  jurisdiction_id: JurisdictionQuery.shape.jurisdiction_id,
  api_key: PostRequestForm.shape.api_key,
  update_id: z.preprocess(emptyAsUndefined, z.string({ error: 'update_id is required' }).max(100, 'update_id must be at most 100 characters')),
  service_request_id: z.preprocess(emptyAsUndefined, z.string({ error: 'service_request_id is required' }).max(40, 'service_request_id is not a request id').pipe(requestId)),
  status: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toUpperCase() : undefined),
    z.enum(EXTENDED_STATUSES, { error: `status must be one of ${EXTENDED_STATUSES.join(', ')}` }),
  ),
  updated_datetime: optional(datetime('updated_datetime')),
  description: z.preprocess(emptyAsUndefined, z.string({ error: 'description is required' }).pipe(text('description', 4000))),
  media_url: mediaUrl,
  account_id: optional(z.string().max(200)),
  ...contact,
}).superRefine(noNul);

