import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { lastCompleteMonth, leagueCases, leagueTable } from '../services/stats.js';
import { LeagueCasesQuery, LeagueQuery } from './league.schema.js';
import { rateLimit } from './rate-limit.js';
import { validate } from './validate.js';

/** The monthly league table of units and wards, public like the rankings it is modelled on, and the cases behind each figure. */
export const leagueRoutes = (deps: AppDeps) => new Hono()
  .get('/', rateLimit(deps, 'public_read'), validate('query', LeagueQuery), async (c) => {
    const { by, month } = c.req.valid('query');
    return c.json(await leagueTable(deps.db, by, month ?? lastCompleteMonth(new Date())));
  })
  .get('/cases', rateLimit(deps, 'public_read'), validate('query', LeagueCasesQuery), async (c) => {
    const { by, month, code, measure } = c.req.valid('query');
    return c.json(await leagueCases(deps.db, by, code, month ?? lastCompleteMonth(new Date()), measure));
  });
