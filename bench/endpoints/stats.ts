import type { BenchContext, BenchEndpoint } from '../types.js';
import { aging, areaStats, hexStats, hourWeekday, pointsBuffer, summary, timeseries, unitStats, worstOverdue } from '../../server/services/stats.js';

// The console's default view: the last 30 days, province-wide, no other filter.
// Floors run the very statements of server/db/stats.repo.ts through Kysely, without HTTP.
const viewport = (ctx: BenchContext): [number, number, number, number] => {
  const p = ctx.random(ctx.points);
  return [p.lon - 0.05, p.lat - 0.035, p.lon + 0.05, p.lat + 0.035];
};
const yearAgo = () => new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

export const statsEndpoints: BenchEndpoint[] = [
  {
    name: 'GET /api/stats/summary (30 d)',
    request: (ctx) => ({ path: '/api/stats/summary', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => summary(db, {}) }),
  },
  {
    name: 'GET /api/stats/summary?field= (30 d)',
    request: (ctx) => ({ path: `/api/stats/summary?field=${ctx.random(ctx.fields)}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({ run: (db) => summary(db, { field: [ctx.random(ctx.fields)] }) }),
  },
  {
    name: 'GET /api/stats/areas?level=ward',
    request: (ctx) => ({ path: '/api/stats/areas?level=ward', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => areaStats(db, 'ward', undefined, {}) }),
  },
  {
    name: 'GET /api/stats/hexes?res=9&bbox= (viewport)',
    request: (ctx) => ({ path: `/api/stats/hexes?res=9&bbox=${viewport(ctx).join(',')}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({ run: (db) => hexStats(db, 9, viewport(ctx), {}) }),
  },
  {
    name: 'GET /api/stats/hour-weekday',
    request: (ctx) => ({ path: '/api/stats/hour-weekday', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => hourWeekday(db, {}) }),
  },
  {
    name: 'GET /api/stats/aging',
    request: (ctx) => ({ path: '/api/stats/aging', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => aging(db, {}) }),
  },
  {
    name: 'GET /api/stats/overdue',
    request: (ctx) => ({ path: '/api/stats/overdue', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => worstOverdue(db, {}, 20) }),
  },
  {
    name: 'GET /api/stats/areas?level=district',
    request: (ctx) => ({ path: '/api/stats/areas?level=district', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => areaStats(db, 'district', undefined, {}) }),
  },
  {
    name: 'GET /api/stats/hexes?res=7',
    request: (ctx) => ({ path: '/api/stats/hexes?res=7', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => hexStats(db, 7, undefined, {}) }),
  },
  {
    name: 'GET /api/stats/hexes?res=5 (1 year)',
    request: (ctx) => ({ path: `/api/stats/hexes?res=5&from=${yearAgo()}&to=${tomorrow()}`, headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => hexStats(db, 5, undefined, { from: yearAgo(), to: tomorrow() }) }),
  },
  {
    name: 'GET /api/stats/points (viewport)',
    request: (ctx) => ({ path: `/api/stats/points?bbox=${viewport(ctx).join(',')}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({ run: (db) => pointsBuffer(db, viewport(ctx), {}) }),
  },
  {
    name: 'GET /api/stats/timeseries',
    request: (ctx) => ({ path: '/api/stats/timeseries?interval=day', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => timeseries(db, 'day', {}) }),
  },
  {
    name: 'GET /api/stats/units',
    request: (ctx) => ({ path: '/api/stats/units', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ run: (db) => unitStats(db, {}) }),
  },
];
