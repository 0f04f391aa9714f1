import { z } from 'zod';
import { LEAGUE_MEASURES } from '../domain/league.js';

const month = z.string({ error: 'month must be YYYY-MM' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM').optional();

export const LeagueQuery = z.object({
  by: z.enum(['unit', 'ward'], { error: 'by must be unit or ward' }).default('unit'),
  month,
});

export const LeagueCasesQuery = LeagueQuery.extend({
  code: z.string({ error: 'code is required' }).regex(/^\d{1,10}$/, 'code must be a unit id or a ward code'),
  measure: z.enum(LEAGUE_MEASURES, { error: `measure must be one of ${LEAGUE_MEASURES.join(', ')}` }).default('resolved'),
});
