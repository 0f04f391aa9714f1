import { z } from 'zod';
import { LEAGUE_MEASURES } from '../domain/league.js';
import { PG_INT_MAX } from './common.schema.js';

// Years 2000–2999: a month the product could hold, and a date every engine parses (year 0 is not one).
const month = z.string({ error: 'month must be YYYY-MM' }).regex(/^2\d{3}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, from 2000').optional();

export const LeagueQuery = z.object({
  by: z.enum(['unit', 'ward'], { error: 'by must be unit or ward' }).default('unit'),
  month,
});

export const LeagueCasesQuery = LeagueQuery.extend({
  // A unit id is an integer column: a larger number would reach the database as an error, not a miss.
  code: z.string({ error: 'code is required' }).regex(/^\d{1,10}$/, 'code must be a unit id or a ward code')
    .refine((c) => Number(c) <= PG_INT_MAX, 'code must be a unit id or a ward code'),
  measure: z.enum(LEAGUE_MEASURES, { error: `measure must be one of ${LEAGUE_MEASURES.join(', ')}` }).default('resolved'),
});
