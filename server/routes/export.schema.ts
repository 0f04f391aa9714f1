import { z } from 'zod';
import { REPORT_STATUSES } from '../db/database.js';
import { coercedDbId } from './common.schema.js';
import { parseOpen311DateTime } from '../services/datetime.js';

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const commaList = <T extends z.ZodType>(item: T, name: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.split(',').map((s) => s.trim()) : undefined),
    z.array(item).max(50, `${name}: at most 50 values`).optional(),
  );
/** A date-only `to` means through the end of that day. */
const date = (name: string, endOfDay = false) =>
  z.preprocess(
    emptyAsUndefined,
    z.string().transform((s, ctx) => {
      const d = parseOpen311DateTime(s);
      if (!d) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a date (2025-07-01) or an ISO-8601 datetime` });
        return z.NEVER;
      }
      return endOfDay && s.trim().length === 10 ? new Date(d.getTime() + 86_400_000) : d;
    }).optional(),
  );

export const ExportQuery = z.object({
  area: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{2,5}$/, 'area must be an admin area code (province, district or ward)').optional()),
  field: commaList(z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'field must be field codes'), 'field'),
  status: commaList(z.enum(REPORT_STATUSES, { error: `status must be one of ${REPORT_STATUSES.join(', ')}` }), 'status'),
  unit: z.preprocess(emptyAsUndefined, coercedDbId('unit must be a unit id').optional()),
  from: date('from'),
  to: date('to', true),
}).refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'to must be after from' });

