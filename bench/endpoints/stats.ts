import type { BenchContext, BenchEndpoint } from '../types.js';

// The console's default view: the last 30 days, province-wide, no other filter.
const WINDOW = `created_at >= (current_date - 29)::timestamp at time zone 'Asia/Ho_Chi_Minh'
  and created_at < (current_date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh'`;
const OPEN = `('received','verified','assigned','in_progress','reopened')`;
const viewport = (ctx: BenchContext) => {
  const p = ctx.random(ctx.points);
  return [p.lon - 0.05, p.lat - 0.035, p.lon + 0.05, p.lat + 0.035];
};

export const statsEndpoints: BenchEndpoint[] = [
  {
    name: 'GET /api/stats/summary (30 d)',
    request: (ctx) => ({ path: '/api/stats/summary', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({
      sql: `select count(*), count(*) filter (where status in ${OPEN}), count(*) filter (where status in ${OPEN} and due_at < now()),
              count(*) filter (where resolved_at <= due_at),
              percentile_cont(0.5) within group (order by extract(epoch from resolved_at - created_at)) filter (where resolved_at is not null)
            from reports where ${WINDOW}`,
      params: [],
    }),
  },
  {
    name: 'GET /api/stats/areas?level=district',
    request: (ctx) => ({ path: '/api/stats/areas?level=district', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({
      sql: `select district_id, count(*), count(*) filter (where resolved_at <= due_at),
              percentile_cont(0.5) within group (order by extract(epoch from resolved_at - created_at)) filter (where resolved_at is not null)
            from reports where ${WINDOW} group by 1`,
      params: [],
    }),
  },
  {
    name: 'GET /api/stats/hexes?res=7',
    request: (ctx) => ({ path: '/api/stats/hexes?res=7', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ sql: `select h3_r7, count(*) from reports where ${WINDOW} group by 1`, params: [] }),
  },
  {
    name: 'GET /api/stats/hexes?res=5 (1 year)',
    request: (ctx) => {
      const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const from = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
      return { path: `/api/stats/hexes?res=5&from=${from}&to=${to}`, headers: { cookie: ctx.staffCookie } };
    },
    floor: () => ({ sql: `select h3_r5, count(*) from reports where created_at >= now() - interval '365 days' group by 1`, params: [] }),
  },
  {
    name: 'GET /api/stats/points (viewport)',
    request: (ctx) => ({ path: `/api/stats/points?bbox=${viewport(ctx).join(',')}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({
      sql: `select code, ST_X(geom), ST_Y(geom), status, due_at from reports
            where ${WINDOW} and geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) limit 50001`,
      params: viewport(ctx),
    }),
  },
  {
    name: 'GET /api/stats/timeseries',
    request: (ctx) => ({ path: '/api/stats/timeseries?interval=day', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ sql: `select date_trunc('day', created_at at time zone 'Asia/Ho_Chi_Minh'), count(*) from reports where ${WINDOW} group by 1`, params: [] }),
  },
  {
    name: 'GET /api/stats/units',
    request: (ctx) => ({ path: '/api/stats/units', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({ sql: `select unit_id, count(*), count(*) filter (where resolved_at <= due_at) from reports where ${WINDOW} group by 1`, params: [] }),
  },
];
