import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import type { Database } from '../../server/db/database.js';
import { insertReport, insertReportEvent } from '../../server/db/reports.repo.js';
import { ENGINES, testApp, testDb } from './context.js';
import { BMT, createField, createStaff, createUnit, loginAs, type StaffSession } from './factories.js';

/**
 * The authorisation matrix, generated from the app's own route table: every
 * staff, admin, export and statistics route × role × report case, asserting
 * the status and the body. A route added tomorrow that is not in FIXTURES
 * fails the test until someone says how to call it.
 *
 * Cases, seen from an officer of unit A:
 * - own: a report of unit A; own_held: the same, held for review (needs_review);
 * - other: a report of unit B; other_held: the same, held;
 * - former: a report unit A held before it was transferred to unit B.
 *
 * What each role may see is restated here on purpose, not imported from
 * server/services/report-access.ts, so the test can disagree with it.
 */
const ROLES = ['admin', 'dispatcher', 'officer', 'leader', 'anonymous'] as const;
const CASES = ['own', 'own_held', 'other', 'other_held', 'former'] as const;
type Role = (typeof ROLES)[number];
type Case = (typeof CASES)[number];
type Sight = 'full' | 'no_contact' | 'former' | 'none';

function sight(role: Role, kase: Case): Sight {
  const held = kase.endsWith('_held');
  switch (role) {
    case 'admin':
    case 'dispatcher':
      return 'full';
    case 'leader':
      return held ? 'none' : 'no_contact';
    case 'officer':
      return kase === 'own' ? 'full' : kase === 'former' ? 'former' : 'none';
    case 'anonymous':
      return 'none';
  }
}

/** The routes under test: every one the app serves under these prefixes. */
const PREFIXES = ['/api/staff', '/api/admin', '/api/export', '/api/stats', '/api/events'];

interface Req {
  path: string;
  method?: string;
  json?: unknown;
  body?: FormData;
}

interface Seeded {
  kase: Case;
  code: string;
  unitId: number;
  /** Strings only someone who sees the report with contact details may read. */
  contact: string[];
  /** The internal note of the unit that holds the report now. */
  note: string;
  /** For former: the internal note unit A wrote while it held the report. */
  formerNote?: string;
}

interface World {
  field: string;
  reports: Record<Case, Seeded>;
}

interface Ctx {
  db: Kysely<Database>;
  app: ReturnType<typeof testApp>['app'];
  unitA: number;
  unitB: number;
  sessions: Record<Exclude<Role, 'anonymous'>, StaffSession>;
}

type Fixture =
  /** A route about one report, called once per case. */
  | { kind: 'report'; request: (code: string, r: Seeded) => Req; expect: (role: Role, s: Sight) => number; mutates?: boolean }
  /** A list that holds exactly the reports the role may see (exports leave held ones out for everyone). */
  | { kind: 'list'; request: (w: World) => Req; excludesHeld?: boolean }
  /** Figures: 200 for every staff member, and never a held report in them. */
  | { kind: 'figures'; request: (w: World) => Req }
  /** No report involved: who may call it. */
  | { kind: 'plain'; request: () => Req; allowed: Role[] }
  /** Not requested here; the reason says where it is tested. */
  | { kind: 'elsewhere'; reason: string };

const NO_SUCH_CODE = '22222222';
const BBOX = '107.9,12.5,108.2,12.8';
const ADMIN_ONLY: Role[] = ['admin'];
const STAFF: Role[] = ['admin', 'dispatcher', 'officer', 'leader'];

/** A unit's work (progress, response): the admin, or an officer of the unit that holds the report now. */
const unitWork = (ok: number) => (role: Role, s: Sight) => (s === 'none' ? 404 : role === 'admin' || (role === 'officer' && s === 'full') ? ok : 403);
/** Refused on the role before the report is read: the answer is the same for any code. */
const dispatchOnly = (role: Role, s: Sight) => (role === 'admin' || role === 'dispatcher' ? (s === 'none' ? 404 : 200) : 403);

const FIXTURES: Record<string, Fixture> = {
  'GET /api/staff/units': { kind: 'plain', request: () => ({ path: '/api/staff/units' }), allowed: STAFF },
  'GET /api/staff/reports': { kind: 'list', request: (w) => ({ path: `/api/staff/reports?field=${w.field}&page_size=1000` }) },
  'GET /api/staff/reports/:code': { kind: 'report', request: (code) => ({ path: `/api/staff/reports/${code}` }), expect: (_r, s) => (s === 'none' ? 404 : 200) },
  'POST /api/staff/reports/:code/actions': {
    kind: 'report', mutates: true, expect: unitWork(200),
    request: (code) => ({ path: `/api/staff/reports/${code}/actions`, json: { action: 'progress', note: 'Matrix: surveyed the site', public: false } }),
  },
  'POST /api/staff/reports/:code/response': {
    kind: 'report', mutates: true, expect: unitWork(201),
    request: (code) => {
      const form = new FormData();
      form.append('text', 'Matrix: the unit has repaired the road surface.');
      return { path: `/api/staff/reports/${code}/response`, body: form };
    },
  },
  'POST /api/staff/reports/:code/abuse': {
    kind: 'report', mutates: true, expect: dispatchOnly,
    request: (code) => ({ path: `/api/staff/reports/${code}/abuse`, json: { client: false, phone: true, abusive: false, reason: 'matrix check' } }),
  },
  'POST /api/staff/reports/bulk-assign': {
    kind: 'report', mutates: true, expect: dispatchOnly,
    request: (code, r) => ({ path: '/api/staff/reports/bulk-assign', json: { codes: [code], unit_id: r.unitId } }),
  },
  'GET /api/export.csv': { kind: 'list', excludesHeld: true, request: (w) => ({ path: `/api/export.csv?field=${w.field}` }) },
  'GET /api/export.geojson': { kind: 'list', excludesHeld: true, request: (w) => ({ path: `/api/export.geojson?field=${w.field}` }) },
  'GET /api/export.open311.json': { kind: 'list', excludesHeld: true, request: (w) => ({ path: `/api/export.open311.json?field=${w.field}` }) },
  'GET /api/stats/summary': { kind: 'figures', request: (w) => ({ path: `/api/stats/summary?field=${w.field}` }) },
  'GET /api/stats/areas': { kind: 'figures', request: (w) => ({ path: `/api/stats/areas?level=ward&field=${w.field}` }) },
  'GET /api/stats/hexes': { kind: 'figures', request: (w) => ({ path: `/api/stats/hexes?res=7&field=${w.field}` }) },
  'GET /api/stats/points': { kind: 'figures', request: (w) => ({ path: `/api/stats/points?bbox=${BBOX}&field=${w.field}` }) },
  'GET /api/stats/timeseries': { kind: 'figures', request: (w) => ({ path: `/api/stats/timeseries?interval=day&field=${w.field}` }) },
  'GET /api/stats/hour-weekday': { kind: 'figures', request: (w) => ({ path: `/api/stats/hour-weekday?field=${w.field}` }) },
  'GET /api/stats/units': { kind: 'figures', request: (w) => ({ path: `/api/stats/units?field=${w.field}` }) },
  'GET /api/stats/aging': { kind: 'figures', request: (w) => ({ path: `/api/stats/aging?field=${w.field}` }) },
  'GET /api/stats/overdue': { kind: 'figures', request: (w) => ({ path: `/api/stats/overdue?field=${w.field}` }) },
  'GET /api/events': { kind: 'elsewhere', reason: 'a stream that never ends; held-reports.test.ts checks what it carries' },
  'GET /api/admin/audit': { kind: 'plain', request: () => ({ path: '/api/admin/audit' }), allowed: ADMIN_ONLY },
  'GET /api/admin/users': { kind: 'plain', request: () => ({ path: '/api/admin/users' }), allowed: ADMIN_ONLY },
  'POST /api/admin/users': { kind: 'plain', request: () => ({ path: '/api/admin/users', json: {} }), allowed: ADMIN_ONLY },
  'PATCH /api/admin/users/:id': { kind: 'plain', request: () => ({ path: '/api/admin/users/999999999', method: 'PATCH', json: {} }), allowed: ADMIN_ONLY },
  'GET /api/admin/units': { kind: 'plain', request: () => ({ path: '/api/admin/units' }), allowed: ADMIN_ONLY },
  'POST /api/admin/units': { kind: 'plain', request: () => ({ path: '/api/admin/units', json: {} }), allowed: ADMIN_ONLY },
  'PUT /api/admin/units/:id': { kind: 'plain', request: () => ({ path: '/api/admin/units/999999999', method: 'PUT', json: {} }), allowed: ADMIN_ONLY },
  'PATCH /api/admin/fields/:code': { kind: 'plain', request: () => ({ path: '/api/admin/fields/no_such_field', method: 'PATCH', json: {} }), allowed: ADMIN_ONLY },
  'GET /api/admin/routing-rules': { kind: 'plain', request: () => ({ path: '/api/admin/routing-rules' }), allowed: ADMIN_ONLY },
  'POST /api/admin/routing-rules': { kind: 'plain', request: () => ({ path: '/api/admin/routing-rules', json: {} }), allowed: ADMIN_ONLY },
  'PUT /api/admin/routing-rules/:id': { kind: 'plain', request: () => ({ path: '/api/admin/routing-rules/999999999', method: 'PUT', json: {} }), allowed: ADMIN_ONLY },
  'DELETE /api/admin/routing-rules/:id': { kind: 'plain', request: () => ({ path: '/api/admin/routing-rules/999999999', method: 'DELETE' }), allowed: ADMIN_ONLY },
  'GET /api/admin/routing/simulate': { kind: 'plain', request: () => ({ path: `/api/admin/routing/simulate?lat=${BMT.lat}&lon=${BMT.lon}&field=road` }), allowed: ADMIN_ONLY },
  'GET /api/admin/webhooks': { kind: 'plain', request: () => ({ path: '/api/admin/webhooks' }), allowed: ADMIN_ONLY },
  'POST /api/admin/webhooks': { kind: 'plain', request: () => ({ path: '/api/admin/webhooks', json: {} }), allowed: ADMIN_ONLY },
  'PUT /api/admin/webhooks/:id': { kind: 'plain', request: () => ({ path: '/api/admin/webhooks/999999999', method: 'PUT', json: {} }), allowed: ADMIN_ONLY },
  'DELETE /api/admin/webhooks/:id': { kind: 'plain', request: () => ({ path: '/api/admin/webhooks/999999999', method: 'DELETE' }), allowed: ADMIN_ONLY },
  'GET /api/admin/webhook-deliveries': { kind: 'plain', request: () => ({ path: '/api/admin/webhook-deliveries' }), allowed: ADMIN_ONLY },
  'GET /api/admin/api-keys': { kind: 'plain', request: () => ({ path: '/api/admin/api-keys' }), allowed: ADMIN_ONLY },
  'POST /api/admin/api-keys': { kind: 'plain', request: () => ({ path: '/api/admin/api-keys', json: {} }), allowed: ADMIN_ONLY },
  'DELETE /api/admin/api-keys/:id': { kind: 'plain', request: () => ({ path: '/api/admin/api-keys/999999999', method: 'DELETE' }), allowed: ADMIN_ONLY },
  'GET /api/admin/calendar': { kind: 'plain', request: () => ({ path: '/api/admin/calendar' }), allowed: ADMIN_ONLY },
  'PUT /api/admin/calendar': { kind: 'plain', request: () => ({ path: '/api/admin/calendar', method: 'PUT', json: {} }), allowed: ADMIN_ONLY },
  'DELETE /api/admin/calendar/:day': { kind: 'plain', request: () => ({ path: '/api/admin/calendar/1999-01-01', method: 'DELETE' }), allowed: ADMIN_ONLY },
};

const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const newCode = () => Array.from(crypto.randomBytes(8), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
const tag = () => crypto.randomBytes(5).toString('hex');

/** Five reports, one per case, in a field of their own, with contact details and internal notes nobody else has. */
async function seedWorld(ctx: Ctx): Promise<World> {
  const { db } = ctx;
  const field = await createField(db);
  const ward = await db.selectFrom('admin_areas').select(['id', 'parent_id']).where('code', '=', '24133').executeTakeFirstOrThrow();
  const now = Date.now();
  const reports = {} as Record<Case, Seeded>;
  for (const kase of CASES) {
    const t = tag();
    const unitId = kase.startsWith('own') ? ctx.unitA : ctx.unitB;
    const code = newCode();
    const contact = [`Người Gửi ${t}`, `09${String(parseInt(t.slice(0, 8), 16) % 100_000_000).padStart(8, '0')}`, `${t}@example.vn`, `client-${t}`];
    const report = await insertReport(db, {
      code, field_code: field, title: `Matrix ${kase}`, description: 'Ổ gà trong ma trận phân quyền', status: 'assigned',
      ...h3CellsForPoint([BMT.lon, BMT.lat]), ward_id: ward.id, district_id: ward.parent_id!, unit_id: unitId,
      reporter_name: contact[0], reporter_phone: contact[1], reporter_email: contact[2], client_key: contact[3],
      hide_name: kase === 'own', needs_review: kase.endsWith('_held'),
      created_at: new Date(now - 2 * 86_400_000), assigned_at: new Date(now - 2 * 86_400_000), due_at: new Date(now - 3_600_000),
    } as never, BMT.lon, BMT.lat);
    const seeded: Seeded = { kase, code, unitId, contact, note: `internal-note-${t}` };
    if (kase === 'former') {
      // Unit A had it and wrote an internal note, then a dispatcher moved it to unit B, whose note A must not read.
      seeded.formerNote = `former-unit-note-${t}`;
      await insertReportEvent(db, { report_id: report.id, type: 'assigned', from_status: 'verified', to_status: 'assigned', public: true, unit_id: ctx.unitA, created_at: new Date(now - 2 * 86_400_000) });
      await insertReportEvent(db, { report_id: report.id, type: 'progress', public: false, note: seeded.formerNote, unit_id: ctx.unitA, created_at: new Date(now - 40 * 3_600_000) });
      await insertReportEvent(db, { report_id: report.id, type: 'transferred', from_status: 'in_progress', to_status: 'assigned', public: true, unit_id: ctx.unitB, created_at: new Date(now - 30 * 3_600_000) });
    } else {
      await insertReportEvent(db, { report_id: report.id, type: 'assigned', from_status: 'received', to_status: 'assigned', public: true, unit_id: unitId, created_at: new Date(now - 2 * 86_400_000) });
    }
    await insertReportEvent(db, { report_id: report.id, type: 'progress', public: false, note: seeded.note, unit_id: unitId, created_at: new Date(now - 20 * 3_600_000) });
    reports[kase] = seeded;
  }
  return { field, reports };
}

/**
 * What `role` must never read in any answer about this world. A report that
 * is not held is public (its code, title and place are on the map), so its
 * code may appear in figures; which lists hold it is checked separately.
 */
function forbiddenIn(world: World, role: Role, { figures = false } = {}): string[] {
  const out: string[] = [];
  for (const r of Object.values(world.reports)) {
    const s = sight(role, r.kase);
    const held = r.kase.endsWith('_held');
    if (s !== 'full') out.push(...r.contact);
    if (s === 'none' || s === 'former') out.push(r.note);
    if (s === 'none' && r.formerNote) out.push(r.formerNote);
    // Held reports exist only for those who review them, and count in no figure.
    if (held && (s === 'none' || figures)) out.push(r.code);
  }
  return out;
}

async function send(ctx: Ctx, role: Role, req: Req): Promise<{ status: number; text: string }> {
  const session = role === 'anonymous' ? undefined : ctx.sessions[role];
  const method = req.method ?? (req.json !== undefined || req.body ? 'POST' : 'GET');
  const res = session
    ? await session.request(req.path, { method, json: req.json, body: req.body })
    : await ctx.app.request(req.path, {
      method, body: req.json !== undefined ? JSON.stringify(req.json) : req.body, headers: req.json !== undefined ? { 'content-type': 'application/json' } : {},
    });
  const bytes = Buffer.from(await res.arrayBuffer());
  // Binary answers (the points buffer) carry the report codes as ASCII; everything else is UTF-8 text.
  const binary = res.headers.get('content-type')?.startsWith('application/octet-stream');
  return { status: res.status, text: bytes.toString(binary ? 'latin1' : 'utf8') };
}

function staffRoutesOf(app: Ctx['app']): string[] {
  const keys = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    if (PREFIXES.some((p) => r.path === p || r.path.startsWith(`${p}/`) || r.path.startsWith(`${p}.`))) keys.add(`${r.method} ${r.path}`);
  }
  return [...keys];
}

const short: Record<Role, string> = { admin: 'adm', dispatcher: 'disp', officer: 'off', leader: 'lead', anonymous: 'anon' };
const shortCase: Record<Case, string> = { own: 'own', own_held: 'own·held', other: 'other', other_held: 'other·held', former: 'former' };

for (const engine of ENGINES) {
  describe(`authorisation matrix [${engine}]`, () => {
    async function setup(): Promise<Ctx> {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const unitA = await createUnit(db, { areaCode: '24133', fieldCodes: [] });
      const unitB = await createUnit(db, { areaCode: '24121', fieldCodes: [] });
      const sessions = {
        admin: await loginAs(app, await createStaff(db, 'admin')),
        dispatcher: await loginAs(app, await createStaff(db, 'dispatcher')),
        officer: await loginAs(app, await createStaff(db, 'officer', unitA)),
        leader: await loginAs(app, await createStaff(db, 'leader')),
      };
      return { db, app, unitA, unitB, sessions };
    }

    it('covers every staff, admin, export and statistics route for every role and case, status and body', { timeout: 600_000 }, async () => {
      const ctx = await setup();
      const routes = staffRoutesOf(ctx.app);
      const missing = routes.filter((k) => !FIXTURES[k]);
      expect(missing, `Add these routes to FIXTURES in tests/integration/authz-matrix.test.ts (how to call them, who may): ${missing.join(', ')}`).toEqual([]);
      const stale = Object.keys(FIXTURES).filter((k) => !routes.includes(k));
      expect(stale, `FIXTURES names routes the app no longer serves: ${stale.join(', ')}`).toEqual([]);

      const shared = await seedWorld(ctx);
      const failures: string[] = [];
      const table = new Map<string, Map<string, string>>();
      const cell = (route: string, role: Role, kase: Case, value: string) => {
        const row = table.get(route) ?? new Map<string, string>();
        row.set(`${role}/${kase}`, value);
        table.set(route, row);
      };
      const leaks = (text: string, forbidden: string[]) => forbidden.filter((s) => text.includes(s));

      for (const route of routes) {
        const fx = FIXTURES[route]!;
        for (const role of ROLES) {
          const where = (kase?: Case) => `${route} as ${role}${kase ? ` on ${kase}` : ''}`;
          if (fx.kind === 'elsewhere') {
            for (const kase of CASES) cell(route, role, kase, '—');
            continue;
          }
          if (fx.kind === 'plain') {
            const res = await send(ctx, role, fx.request());
            for (const kase of CASES) cell(route, role, kase, String(res.status));
            const ok = role === 'anonymous' ? res.status === 401 : fx.allowed.includes(role) ? res.status < 500 && res.status !== 401 && res.status !== 403 : res.status === 403;
            if (!ok) failures.push(`${where()}: ${res.status} ${res.text.slice(0, 200)}`);
            const leaked = leaks(res.text, forbiddenIn(shared, role));
            if (leaked.length) failures.push(`${where()}: leaks ${leaked.join(', ')}`);
            continue;
          }
          if (fx.kind === 'list' || fx.kind === 'figures') {
            const res = await send(ctx, role, fx.request(shared));
            for (const kase of CASES) cell(route, role, kase, String(res.status));
            const expected = role === 'anonymous' ? 401 : 200;
            if (res.status !== expected) failures.push(`${where()}: ${res.status} (expected ${expected}) ${res.text.slice(0, 200)}`);
            const leaked = leaks(res.text, forbiddenIn(shared, role, { figures: fx.kind === 'figures' }));
            if (leaked.length) failures.push(`${where()}: leaks ${leaked.join(', ')}`);
            if (fx.kind === 'list' && res.status === 200) {
              // Exactly the reports the role may see, no more and no fewer.
              const present = CASES.filter((k) => res.text.includes(shared.reports[k].code));
              const wanted = CASES.filter((k) => sight(role, k) !== 'none' && !(fx.excludesHeld && k.endsWith('_held')));
              if (present.join() !== wanted.join()) failures.push(`${where()}: lists ${present.join(', ') || 'nothing'} (expected ${wanted.join(', ') || 'nothing'})`);
            }
            continue;
          }
          // One report per case: a fresh world for routes that change what they touch.
          const world = fx.mutates ? await seedWorld(ctx) : shared;
          for (const kase of CASES) {
            const r = world.reports[kase];
            const s = sight(role, kase);
            const res = await send(ctx, role, fx.request(r.code, r));
            cell(route, role, kase, String(res.status));
            const expected = role === 'anonymous' ? 401 : fx.expect(role, s);
            if (res.status !== expected) failures.push(`${where(kase)}: ${res.status} (expected ${expected}) ${res.text.slice(0, 200)}`);
            const leaked = leaks(res.text, forbiddenIn(world, role));
            if (leaked.length) failures.push(`${where(kase)}: leaks ${leaked.join(', ')}`);
            if (s === 'none') {
              // Nothing of it: the same answer, byte for byte, as for a code nobody issued.
              const ghost = await send(ctx, role, fx.request(NO_SUCH_CODE, { ...r, code: NO_SUCH_CODE }));
              if (ghost.status !== res.status || ghost.text.replaceAll(NO_SUCH_CODE, r.code) !== res.text) {
                failures.push(`${where(kase)}: answers differently from a code nobody issued (${res.status} ${res.text.slice(0, 120)} vs ${ghost.status} ${ghost.text.slice(0, 120)})`);
              }
            }
            if (route === 'GET /api/staff/reports/:code' && res.status === 200) {
              const body = JSON.parse(res.text);
              if (s === 'full' && body.reporter?.phone !== r.contact[1]) failures.push(`${where(kase)}: contact details missing`);
              if (s !== 'full' && (body.reporter !== null || body.reporter_name !== null)) failures.push(`${where(kase)}: reporter shown`);
              if (s === 'former' && !res.text.includes(r.formerNote!)) failures.push(`${where(kase)}: the former unit's own note is missing`);
              if (s === 'full' && kase.endsWith('_held') && body.needs_review !== true) failures.push(`${where(kase)}: not marked held for review`);
            }
          }
        }
      }

      const columns = ROLES.flatMap((role) => CASES.map((kase) => ({ key: `${role}/${kase}`, label: `${short[role]} ${shortCase[kase]}` })));
      const lines = [
        `| route | ${columns.map((c) => c.label).join(' | ')} |`,
        `|---|${columns.map(() => '---').join('|')}|`,
        ...[...table].map(([route, row]) => `| ${route} | ${columns.map((c) => row.get(c.key) ?? '').join(' | ')} |`),
      ];
      console.log(`Authorisation matrix [${engine}] (officer = officer of unit A; own = unit A's report, other = unit B's, held = needs_review, former = moved from A to B):\n${lines.join('\n')}`);
      expect(failures).toEqual([]);
    });

    it('officers read only their unit\'s reports: another unit\'s report is 404 with nothing of it, also after a transfer via the API', async () => {
      const ctx = await setup();
      const world = await seedWorld(ctx);
      const officer = ctx.sessions.officer;
      const other = world.reports.other;
      const res = await officer.request(`/api/staff/reports/${other.code}`);
      expect(res.status).toBe(404);
      const text = await res.text();
      for (const secret of [...other.contact, other.note]) expect(text).not.toContain(secret);
      expect(text).toBe((await (await officer.request(`/api/staff/reports/${NO_SUCH_CODE}`)).text()));

      // A dispatcher moves unit A's report to unit B with a note; A keeps reading it, without contact or B's notes.
      const own = world.reports.own;
      const moved = await ctx.sessions.dispatcher.request(`/api/staff/reports/${own.code}/actions`, { json: { action: 'assign', unit_id: ctx.unitB, note: 'Chuyển đơn vị B' } });
      expect(moved.status).toBe(200);
      const bNote = `unit-b-note-${tag()}`;
      const byB = await ctx.db.selectFrom('reports').select('id').where('code', '=', own.code).executeTakeFirstOrThrow();
      await insertReportEvent(ctx.db, { report_id: byB.id, type: 'progress', public: false, note: bNote, unit_id: ctx.unitB });
      const after = await officer.request(`/api/staff/reports/${own.code}`);
      expect(after.status).toBe(200);
      const body = await after.json();
      expect(body.reporter).toBeNull();
      expect(body.reporter_name).toBeNull();
      expect(body.audit).toEqual([]);
      expect(body.allowed_actions).toEqual([]);
      const afterText = JSON.stringify(body);
      for (const secret of [...own.contact, bNote]) expect(afterText).not.toContain(secret);
      expect(afterText).toContain(own.note);
      // It may read it but no longer act on it.
      expect((await officer.request(`/api/staff/reports/${own.code}/actions`, { json: { action: 'accept' } })).status).toBe(403);
    });

    it('officers export only their unit\'s rows and leaders never see contact details', async () => {
      const ctx = await setup();
      const world = await seedWorld(ctx);
      const csv = await (await ctx.sessions.officer.request(`/api/export.csv?field=${world.field}`)).text();
      expect(csv).toContain(world.reports.own.code);
      expect(csv).toContain(world.reports.former.code);
      for (const k of ['other', 'other_held', 'own_held'] as const) expect(csv).not.toContain(world.reports[k].code);
      const detail = await ctx.sessions.leader.request(`/api/staff/reports/${world.reports.other.code}`);
      expect(detail.status).toBe(200);
      const text = await detail.text();
      for (const secret of world.reports.other.contact) expect(text).not.toContain(secret);
    });
  });
}
