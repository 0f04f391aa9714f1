import type { BenchContext, BenchEndpoint } from '../types.js';

// A district-sized box around a sample point: what a city app asks for.
const bboxAround = (p: { lat: number; lon: number }) => [p.lon - 0.05, p.lat - 0.04, p.lon + 0.05, p.lat + 0.04];

/**
 * The query behind GET requests, as plain SQL: last 90 days, newest first,
 * 1,000 rows, with the last public note and the first photo. What the
 * endpoint costs beyond it is rendering (JSON or XML) and the framework.
 */
function requestsFloor(bbox?: number[]) {
  return {
    sql: `select r.id, r.code, r.status, r.field_code, f.name_vi, r.description, u.name_vi, r.created_at, r.updated_at, r.due_at,
                 r.address, r.external_media_url, ST_X(r.geom), ST_Y(r.geom),
                 (select e.note from report_events e where e.report_id = r.id and e.public and e.note is not null order by e.created_at desc, e.id desc limit 1),
                 (select m.id from media m where m.report_id = r.id and m.kind = 'photo' order by m.created_at, m.id limit 1)
          from reports r
          join fields f on f.code = r.field_code
          left join units u on u.id = r.unit_id
          where r.needs_review = false and r.status not in ('rejected', 'merged', 'withdrawn')
            and r.created_at >= now() - interval '90 days'
            ${bbox ? 'and r.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)' : ''}
          order by r.created_at desc, r.id desc
          limit 1000`,
    params: bbox ?? [],
  };
}

const withBbox = (format: 'json' | 'xml'): BenchEndpoint => ({
  name: `GET /open311/v2/requests.${format}?bbox=`,
  request: (ctx: BenchContext) => ({ path: `/open311/v2/requests.${format}?bbox=${bboxAround(ctx.random(ctx.points)).join(',')}` }),
  floor: (ctx: BenchContext) => requestsFloor(bboxAround(ctx.random(ctx.points))),
});

export const open311Endpoints: BenchEndpoint[] = [
  { name: 'GET /open311/v2/requests.json', request: () => ({ path: '/open311/v2/requests.json' }), floor: () => requestsFloor() },
  { name: 'GET /open311/v2/requests.xml', request: () => ({ path: '/open311/v2/requests.xml' }), floor: () => requestsFloor() },
  withBbox('json'),
  withBbox('xml'),
];
