import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../server/db/database.js';
import { selectFineHexCells, selectPoints, selectWorstOverdue } from '../../server/db/stats.repo.js';
import { OPEN_STATUSES } from '../../server/domain/statuses.js';
import type { BenchContext, BenchEndpoint } from '../types.js';

/**
 * The console's statistics. Each request draws a filter, as different
 * viewers would: the whole province, one field, or one former district. The
 * floor is the same figure computed by PostgreSQL from the reports in one
 * plain SQL statement per window (what the API would cost if it asked the
 * database per request); the viewport reads (points, fine hexagons, worst
 * overdue) run the API's own statements.
 */
interface Filter {
  query: string;
  where: RawBuilder<unknown>;
  field?: string;
  districtId?: number;
}

function drawFilter(ctx: BenchContext): Filter {
  const pick = Math.floor(Math.random() * 3);
  if (pick === 1) {
    const field = ctx.random(ctx.fields);
    return { query: `field=${field}`, where: sql`r.field_code = ${field}`, field };
  }
  if (pick === 2) {
    const d = ctx.random(ctx.districts);
    return { query: `area=${d.code}`, where: sql`r.district_id = ${d.id}`, districtId: d.id };
  }
  return { query: '', where: sql`true` };
}

const DAY = 86_400_000;
const localDate = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
/** [from, to) as local dates: the last `days` days including today. */
const lastDays = (days: number) => {
  const to = localDate(Date.now() + DAY);
  return { from: localDate(Date.parse(to) - days * DAY), to };
};
const at = (date: string) => sql`(${date}::date::timestamp at time zone 'Asia/Ho_Chi_Minh')`;
const OPEN = sql.raw(`(${OPEN_STATUSES.map((s) => `'${s}'`).join(',')})`);

/** Every window figure and the backlog, per group, from the reports. */
function figuresSql(f: Filter, w: { from: string; to: string }, group: RawBuilder<unknown>) {
  const created = sql`r.created_at >= ${at(w.from)} and r.created_at < ${at(w.to)}`;
  const resolved = sql`r.resolved_at >= ${at(w.from)} and r.resolved_at < ${at(w.to)}`;
  return sql`
    select ${group} as g,
      count(*) filter (where ${created}) as received,
      count(*) filter (where ${resolved}) as resolved,
      count(*) filter (where ${resolved} and r.due_at > r.created_at and r.resolved_at <= r.due_at) as on_time,
      count(*) filter (where ${resolved} and r.rating_satisfied) as satisfied,
      percentile_cont(0.5) within group (order by r.resolved_at - r.created_at) filter (where ${resolved}) as median,
      count(*) filter (where r.status in ${OPEN}) as open,
      count(*) filter (where r.status in ${OPEN} and r.due_at < now()) as overdue
    from reports r
    where not r.needs_review and ${f.where} and (${created} or ${resolved} or r.status in ${OPEN})
    group by 1`;
}

const previousOf = (w: { from: string; to: string }) => {
  const span = Date.parse(w.to) - Date.parse(w.from);
  return { from: new Date(Date.parse(w.from) - span).toISOString().slice(0, 10), to: w.from };
};

const run = (...queries: RawBuilder<unknown>[]) => ({ run: (db: Kysely<Database>) => Promise.all(queries.map((q) => q.execute(db))) });
const withQuery = (path: string, f: Filter) => (f.query ? `${path}${path.includes('?') ? '&' : '?'}${f.query}` : path);

/** One endpoint whose request and floor share the filter drawn for it. */
function endpoint(name: string, path: (f: Filter) => string, floor: (f: Filter, ctx: BenchContext) => ReturnType<BenchEndpoint['floor']>): BenchEndpoint {
  return {
    name,
    request: (ctx) => ({ path: path(drawFilter(ctx)), headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => floor(drawFilter(ctx), ctx),
  };
}

const viewport = (ctx: BenchContext): [number, number, number, number] => {
  const p = ctx.random(ctx.points);
  return [p.lon - 0.05, p.lat - 0.035, p.lon + 0.05, p.lat + 0.035];
};
const thisMonth = () => localDate(Date.now()).slice(0, 7);
const month = () => {
  const [y, m] = thisMonth().split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};
const monthWindow = (mm: string) => {
  const [y, m] = mm.split('-').map(Number);
  return { from: `${mm}-01`, to: m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01` };
};

export const statsEndpoints: BenchEndpoint[] = [
  endpoint('GET /api/stats/summary (30 d)', (f) => withQuery('/api/stats/summary', f), (f) => {
    const w = lastDays(30);
    return run(figuresSql(f, w, sql`0`), figuresSql(f, previousOf(w), sql`0`));
  }),
  endpoint('GET /api/stats/areas?level=ward', (f) => withQuery('/api/stats/areas?level=ward', { ...f, query: f.field ? f.query : '' }),
    (f) => run(figuresSql({ ...f, where: f.field ? f.where : sql`true` }, lastDays(30), sql`r.ward_id`))),
  endpoint('GET /api/stats/areas?level=district', (f) => withQuery('/api/stats/areas?level=district', { ...f, query: f.field ? f.query : '' }),
    (f) => run(figuresSql({ ...f, where: f.field ? f.where : sql`true` }, lastDays(30), sql`r.district_id`))),
  endpoint('GET /api/stats/units', (f) => withQuery('/api/stats/units', f), (f) => run(figuresSql(f, lastDays(30), sql`r.unit_id`))),
  endpoint('GET /api/stats/hexes?res=7', (f) => withQuery('/api/stats/hexes?res=7', f), (f) => run(figuresSql(f, lastDays(30), sql`r.h3_r7`))),
  endpoint('GET /api/stats/hexes?res=5 (1 year)', (f) => withQuery(`/api/stats/hexes?res=5&from=${lastDays(365).from}&to=${lastDays(365).to}`, f),
    (f) => run(figuresSql(f, lastDays(365), sql`r.h3_r5`))),
  endpoint('GET /api/stats/hour-weekday', (f) => withQuery('/api/stats/hour-weekday', f), (f) => {
    const w = lastDays(30);
    return run(sql`select extract(isodow from r.created_at at time zone 'Asia/Ho_Chi_Minh') as d, extract(hour from r.created_at at time zone 'Asia/Ho_Chi_Minh') as h, count(*)
      from reports r where not r.needs_review and ${f.where} and r.created_at >= ${at(w.from)} and r.created_at < ${at(w.to)} group by 1, 2`);
  }),
  endpoint('GET /api/stats/timeseries', (f) => withQuery('/api/stats/timeseries?interval=day', f), (f) => {
    const w = lastDays(30);
    return run(
      sql`select (r.created_at at time zone 'Asia/Ho_Chi_Minh')::date, count(*) from reports r
        where not r.needs_review and ${f.where} and r.created_at >= ${at(w.from)} and r.created_at < ${at(w.to)} group by 1`,
      sql`select (r.resolved_at at time zone 'Asia/Ho_Chi_Minh')::date, count(*) from reports r
        where not r.needs_review and ${f.where} and r.resolved_at >= ${at(w.from)} and r.resolved_at < ${at(w.to)} group by 1`,
    );
  }),
  endpoint('GET /api/stats/aging', (f) => withQuery('/api/stats/aging', f), (f) => run(sql`
    select case when r.due_at is null or r.due_at >= now() then 0 when now() - r.due_at < interval '3 days' then 1
      when now() - r.due_at < interval '7 days' then 2 when now() - r.due_at < interval '30 days' then 3 else 4 end, count(*)
    from reports r where not r.needs_review and ${f.where} and r.status in ${OPEN} group by 1`)),
  endpoint('GET /api/stats/overdue', (f) => withQuery('/api/stats/overdue', f), (f) => ({
    run: (db) => selectWorstOverdue(db, { ...lastDays(30), fields: f.field ? [f.field] : undefined, districtId: f.districtId }, new Date(), 20),
  })),
  endpoint('GET /api/league?by=unit (month)', () => `/api/league?by=unit&month=${month()}`, () => run(figuresSql({ query: '', where: sql`true` }, monthWindow(month()), sql`r.unit_id`))),
  {
    name: 'GET /api/stats/hexes?res=9&bbox= (viewport)',
    request: (ctx) => ({ path: `/api/stats/hexes?res=9&bbox=${viewport(ctx).join(',')}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({ run: (db) => selectFineHexCells(db, 9, viewport(ctx), lastDays(30), new Date()) }),
  },
  {
    name: 'GET /api/stats/points (viewport)',
    request: (ctx) => ({ path: `/api/stats/points?bbox=${viewport(ctx).join(',')}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({ run: (db) => selectPoints(db, viewport(ctx), lastDays(30), new Date(), 50_000) }),
  },
];
