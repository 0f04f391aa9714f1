import type { BenchEndpoint } from '../types.js';

export const staffEndpoints: BenchEndpoint[] = [
  {
    name: 'GET /api/staff/reports (inbox)',
    request: (ctx) => ({ path: '/api/staff/reports?inbox=all&page_size=50', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({
      sql: `select r.code, r.title, r.status, r.created_at, r.due_at, f.name_vi, w.name_vi, u.name_vi
            from reports r join fields f on f.code = r.field_code join admin_areas w on w.id = r.ward_id left join units u on u.id = r.unit_id
            order by r.created_at desc, r.id desc limit 51`,
      params: [],
    }),
  },
  {
    // The officer's scope: their unit's reports plus those the unit held before (a pass over its timeline events).
    name: 'GET /api/staff/reports (officer inbox)',
    request: (ctx) => ({ path: '/api/staff/reports?inbox=all&page_size=50', headers: { cookie: ctx.officerCookie } }),
    floor: (ctx) => ({
      sql: `select r.code, r.title, r.status, r.created_at, r.due_at, f.name_vi, w.name_vi, u.name_vi
            from reports r join fields f on f.code = r.field_code join admin_areas w on w.id = r.ward_id left join units u on u.id = r.unit_id
            where not r.needs_review and (r.unit_id = $1 or exists (select 1 from report_events ue where ue.report_id = r.id and ue.unit_id = $1))
            order by r.created_at desc, r.id desc limit 51`,
      params: [ctx.officerUnit],
    }),
  },
  {
    name: 'GET /api/staff/reports?sla=overdue',
    request: (ctx) => ({ path: '/api/staff/reports?inbox=overdue&sort=due&page_size=50', headers: { cookie: ctx.staffCookie } }),
    floor: () => ({
      sql: `select r.code, r.title, r.status, r.created_at, r.due_at from reports r
            where r.status in ('received','verified','assigned','in_progress','reopened') and r.due_at < now()
            order by r.due_at, r.id limit 51`,
      params: [],
    }),
  },
  {
    name: 'GET /api/staff/reports/:code (detail)',
    request: (ctx) => ({ path: `/api/staff/reports/${ctx.random(ctx.codes)}`, headers: { cookie: ctx.staffCookie } }),
    floor: (ctx) => ({
      sql: `select r.*, (select json_agg(e) from report_events e where e.report_id = r.id),
              (select json_agg(a) from audit_log a where a.entity = 'report' and a.entity_id = r.code)
            from reports r where r.code = $1`,
      params: [ctx.random(ctx.codes)],
    }),
  },
];
