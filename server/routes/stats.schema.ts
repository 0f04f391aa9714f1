import { z } from 'zod';
import { REPORT_STATUSES } from '../db/database.js';
import { coercedDbId, isoDate } from './common.schema.js';
import { bbox, requiredBbox } from './reports.schema.js';

const list = <T extends z.ZodType>(item: T, name: string) =>
  z.preprocess((v) => (typeof v === 'string' && v !== '' ? v.split(',') : undefined), z.array(item).max(30, `${name}: at most 30 values`).optional());
const date = (name: string) => isoDate(`${name} must be a date YYYY-MM-DD`).optional();

/** The filters every statistic takes. */
export const StatsQuery = z.object({
  area: z.string().regex(/^\d{2,5}$/, 'area must be an area code').optional(),
  field: list(z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'field must be field codes'), 'field'),
  status: list(z.enum(REPORT_STATUSES, { error: 'unknown status' }), 'status'),
  unit: list(coercedDbId('unit must be unit ids'), 'unit'),
  from: date('from'),
  to: date('to'),
});

export const AreasStatsQuery = StatsQuery.extend({
  level: z.enum(['district', 'ward'], { error: 'level must be district or ward' }),
  parent: z.string().regex(/^\d{2,5}$/, 'parent must be an area code').optional(),
});

export const HexesQuery = StatsQuery.extend({
  res: z.coerce.number({ error: 'res must be 5–9' }).int('res must be 5–9').min(5, 'res must be 5–9').max(9, 'res must be 5–9'),
  bbox,
});

export const PointsQuery = StatsQuery.extend({
  bbox: requiredBbox,
});

export const TimeseriesQuery = StatsQuery.extend({
  interval: z.enum(['day', 'week'], { error: 'interval must be day or week' }).default('day'),
});

export const WorstQuery = StatsQuery.extend({
  limit: z.coerce.number().int().min(1, 'limit must be 1–100').max(100, 'limit must be 1–100').default(20),
});
