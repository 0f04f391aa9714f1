import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import { newReportCode } from '../../server/services/report-code.js';
import type { BenchContext, BenchEndpoint } from '../types.js';

// Viewport of about 2 × 1.5 km around a sample point: what a phone shows at zoom ~15.
const bboxAround = (p: { lat: number; lon: number }) => [p.lon - 0.01, p.lat - 0.007, p.lon + 0.01, p.lat + 0.007];

function multipart(ctx: BenchContext, boundary: string) {
  const p = ctx.random(ctx.points);
  const fields: Record<string, string> = {
    field: ctx.random(ctx.fields), title: 'Ổ gà lớn giữa đường', description: 'Ổ gà sâu, xe máy dễ ngã vào buổi tối, đề nghị xử lý.',
    lat: String(p.lat), lon: String(p.lon),
    // A person's form, opened a minute ago: without it the report would be held as too fast, and skip routing.
    opened_at: new Date(Date.now() - 60_000).toISOString(),
  };
  return Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
}

export const coreEndpoints: BenchEndpoint[] = [
  {
    name: 'GET /api/areas/at',
    request: (ctx) => {
      const p = ctx.random(ctx.points);
      return { path: `/api/areas/at?lat=${p.lat}&lon=${p.lon}` };
    },
    floor: (ctx) => {
      const p = ctx.random(ctx.points);
      return {
        sql: `select w.code, w.name_vi, w.name_en, d.code, d.name_vi, d.name_en, p.code, p.name_vi, p.name_en
              from admin_areas w join admin_areas d on d.id = w.parent_id join admin_areas p on p.id = d.parent_id
              where w.level = 'ward' and ST_Intersects(w.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) order by w.code limit 1`,
        params: [p.lon, p.lat],
      };
    },
  },
  {
    name: 'GET /api/reports/count?bbox=',
    request: (ctx) => ({ path: `/api/reports/count?bbox=${bboxAround(ctx.random(ctx.points)).join(',')}` }),
    floor: (ctx) => ({
      sql: `select count(*)::int from reports where status not in ('rejected','merged','withdrawn') and needs_review = false
              and geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`,
      params: bboxAround(ctx.random(ctx.points)),
    }),
  },
  {
    name: 'GET /api/reports?bbox=',
    request: (ctx) => ({ path: `/api/reports?bbox=${bboxAround(ctx.random(ctx.points)).join(',')}&limit=200` }),
    floor: (ctx) => ({
      sql: `select code, field_code, title, status, created_at, due_at, resolved_at, follower_count, ST_X(geom), ST_Y(geom)
            from reports where status not in ('rejected','merged','withdrawn') and needs_review = false
              and geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
            order by created_at desc, id desc limit 201`,
      params: bboxAround(ctx.random(ctx.points)),
    }),
  },
  {
    name: 'GET /api/reports/nearby',
    request: (ctx) => {
      const p = ctx.random(ctx.points);
      return { path: `/api/reports/nearby?lat=${p.lat}&lon=${p.lon}&field=${ctx.random(ctx.fields)}` };
    },
    floor: (ctx) => {
      const p = ctx.random(ctx.points);
      return {
        sql: `select code, title, status, created_at, follower_count, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1,$2),4326)::geography) d
              from reports where field_code = $3 and status in ('received','verified','assigned','in_progress','reopened') and needs_review = false
                and created_at >= now() - interval '30 days'
                and geom && ST_Expand(ST_SetSRID(ST_MakePoint($1,$2),4326), 0.0015)
                and ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1,$2),4326)::geography, 150)
              order by d limit 20`,
        params: [p.lon, p.lat, ctx.random(ctx.fields)],
      };
    },
  },
  {
    name: 'GET /api/reports/:code',
    request: (ctx) => ({ path: `/api/reports/${ctx.random(ctx.codes)}` }),
    floor: (ctx) => ({
      sql: `select r.*, f.name_vi, w.name_vi, d.name_vi, u.name_vi,
              (select json_agg(e) from report_events e where e.report_id = r.id and e.public),
              (select json_agg(m) from media m where m.report_id = r.id)
            from reports r join fields f on f.code = r.field_code join admin_areas w on w.id = r.ward_id
            join admin_areas d on d.id = r.district_id left join units u on u.id = r.unit_id where r.code = $1`,
      params: [ctx.random(ctx.codes)],
    }),
  },
  {
    name: 'POST /api/reports (no photo)',
    method: 'POST',
    request: (ctx) => {
      const boundary = `----bench${Math.random().toString(16).slice(2)}`;
      return { path: '/api/reports', body: multipart(ctx, boundary), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    },
    floor: (ctx) => {
      const p = ctx.random(ctx.points);
      const h3 = h3CellsForPoint([p.lon, p.lat]);
      // The same writes in one statement: area lookup, report row (real code and cells, so
      // the rows it leaves behind are valid reports), its timeline event and outbox row.
      return {
        sql: `with a as (
                select w.id wid, w.parent_id did from admin_areas w
                where w.level = 'ward' and ST_Intersects(w.geom, ST_SetSRID(ST_MakePoint($1,$2),4326)) limit 1),
              r as (
                insert into reports (code, field_code, title, description, geom, h3_r5, h3_r6, h3_r7, h3_r8, h3_r9, ward_id, district_id, due_at)
                select $4, $3, 'bench', 'bench floor row', ST_SetSRID(ST_MakePoint($1,$2),4326), $5, $6, $7, $8, $9, wid, did, now() + interval '5 days'
                from a returning id),
              e as (insert into report_events (report_id, type, to_status) select id, 'received', 'received' from r returning id)
              insert into outbox (event_id, type, report_id, payload) select gen_random_uuid()::text, 'report.created', id, '{}' from r`,
        params: [p.lon, p.lat, ctx.random(ctx.fields), newReportCode(), h3.h3_r5, h3.h3_r6, h3.h3_r7, h3.h3_r8, h3.h3_r9],
      };
    },
  },
];
