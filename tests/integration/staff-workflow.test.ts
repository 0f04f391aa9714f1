import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { TRANSITIONS } from '../../server/services/workflow.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, fixtureFile, loginAs, reportForm, type StaffSession } from './factories.js';

type Role = 'admin' | 'dispatcher' | 'officer_own' | 'officer_other' | 'leader' | 'anonymous';
const ROLES: Role[] = ['admin', 'dispatcher', 'officer_own', 'officer_other', 'leader', 'anonymous'];

/** For each action: the state it needs, its body, and who may do it. */
const ACTIONS: { action: string; from: ReportStatus; body: (ctx: { unitId: number; parent: string }) => Record<string, unknown>; allowed: Role[] }[] = [
  { action: 'verify', from: 'received', body: () => ({}), allowed: ['admin', 'dispatcher'] },
  { action: 'reject', from: 'received', body: () => ({ reason: 'spam' }), allowed: ['admin', 'dispatcher'] },
  { action: 'classify', from: 'verified', body: () => ({ field: '__FIELD__' }), allowed: ['admin', 'dispatcher'] },
  { action: 'assign', from: 'verified', body: ({ unitId }) => ({ unit_id: unitId }), allowed: ['admin', 'dispatcher'] },
  { action: 'merge', from: 'verified', body: ({ parent }) => ({ parent_code: parent }), allowed: ['admin', 'dispatcher'] },
  { action: 'set_deadline', from: 'assigned', body: () => ({ due_at: '2099-01-01T00:00:00+07:00', reason: 'Cần khảo sát thêm' }), allowed: ['admin', 'dispatcher'] },
  { action: 'accept', from: 'assigned', body: () => ({}), allowed: ['admin', 'officer_own'] },
  { action: 'decline', from: 'assigned', body: () => ({ reason: 'Không thuộc thẩm quyền' }), allowed: ['admin', 'officer_own'] },
  { action: 'progress', from: 'in_progress', body: () => ({ note: 'Đã khảo sát hiện trường', public: true }), allowed: ['admin', 'officer_own'] },
  { action: 'resolve', from: 'in_progress', body: () => ({ note: 'Đã vá ổ gà' }), allowed: ['admin', 'officer_own'] },
];

async function count(db: Kysely<Database>, table: 'audit_log' | 'report_events', reportCode: string) {
  if (table === 'audit_log') {
    return (await db.selectFrom('audit_log').select(sql<number>`count(*)::int`.as('n')).where('entity', '=', 'report').where('entity_id', '=', reportCode).executeTakeFirstOrThrow()).n;
  }
  return (await db.selectFrom('report_events as e').innerJoin('reports as r', 'r.id', 'e.report_id').select(sql<number>`count(*)::int`.as('n')).where('r.code', '=', reportCode).executeTakeFirstOrThrow()).n;
}

for (const engine of ENGINES) {
  describe(`back-office workflow [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db, { deadline_days: 5 });
      const otherField = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [] });
      const otherUnitId = await createUnit(db, { areaCode: '24121', fieldCodes: [] });
      const sessions: Record<Role, StaffSession | null> = {
        admin: await loginAs(app, await createStaff(db, 'admin')),
        dispatcher: await loginAs(app, await createStaff(db, 'dispatcher')),
        officer_own: await loginAs(app, await createStaff(db, 'officer', unitId)),
        officer_other: await loginAs(app, await createStaff(db, 'officer', otherUnitId)),
        leader: await loginAs(app, await createStaff(db, 'leader')),
        anonymous: null,
      };
      const newReport = async (status: ReportStatus, unit: number | null = null) => {
        const res = await app.request('/api/reports', { method: 'POST', body: reportForm({ field, phone: '0905111222' }) });
        const { code } = await res.json();
        await db.updateTable('reports').set({ status, unit_id: unit }).where('code', '=', code).execute();
        return code as string;
      };
      const act = (role: Role, code: string, body: Record<string, unknown>) => {
        const s = sessions[role];
        if (!s) return app.request(`/api/staff/reports/${code}/actions`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        return s.request(`/api/staff/reports/${code}/actions`, { json: body });
      };
      return { db, app, field, otherField, unitId, otherUnitId, sessions, newReport, act };
    }

    it('enforces the authorisation matrix: every action × every role × own/other unit', async () => {
      const ctx = await setup();
      const failures: string[] = [];
      for (const spec of ACTIONS) {
        for (const role of ROLES) {
          const needsUnit = ['assigned', 'in_progress'].includes(spec.from);
          const code = await ctx.newReport(spec.from, needsUnit ? ctx.unitId : null);
          const parent = await ctx.newReport('verified');
          const body: Record<string, unknown> = { action: spec.action, ...spec.body({ unitId: ctx.unitId, parent }) };
          if (body.field === '__FIELD__') body.field = ctx.otherField;
          const before = await ctx.db.selectFrom('reports').select(['status', 'version']).where('code', '=', code).executeTakeFirstOrThrow();
          const res = await ctx.act(role, code, body);
          // Another unit's report (or one with no unit) does not exist for an officer: 404, not 403.
          const unseen = role === 'officer_other' || (role === 'officer_own' && !needsUnit);
          const expected = role === 'anonymous' ? 401 : spec.allowed.includes(role) ? 200 : unseen ? 404 : 403;
          const after = await ctx.db.selectFrom('reports').select(['status', 'version']).where('code', '=', code).executeTakeFirstOrThrow();
          if (res.status !== expected) failures.push(`${spec.action} as ${role}: ${res.status} (expected ${expected}) ${await res.text()}`);
          if (expected === 200 && after.version !== before.version + 1) failures.push(`${spec.action} as ${role}: version not bumped`);
          if (expected !== 200 && (after.status !== before.status || after.version !== before.version)) failures.push(`${spec.action} as ${role}: changed the report although refused`);
          if (expected !== 200 && (await count(ctx.db, 'audit_log', code)) !== 0) failures.push(`${spec.action} as ${role}: audit row although refused`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('enforces read access: leaders see reports without contact, officers only their unit, anonymous nothing', async () => {
      const ctx = await setup();
      const own = await ctx.newReport('assigned', ctx.unitId);
      const other = await ctx.newReport('assigned', ctx.otherUnitId);
      const detail = async (role: Role, code: string) => (await ctx.sessions[role]!.request(`/api/staff/reports/${code}`)).json();
      expect((await detail('dispatcher', own)).reporter.phone).toBe('0905111222');
      expect((await detail('officer_own', own)).reporter.phone).toBe('0905111222');
      const leaderView = await ctx.sessions.leader!.request(`/api/staff/reports/${own}`);
      const leaderText = await leaderView.text();
      expect(leaderView.status).toBe(200);
      expect(leaderText).not.toContain('0905111222');
      expect(JSON.parse(leaderText).allowed_actions).toEqual([]);
      expect((await detail('officer_own', own)).allowed_actions).toEqual(['accept', 'decline', 'progress', 'respond']);
      expect((await ctx.sessions.officer_other!.request(`/api/staff/reports/${own}`)).status).toBe(404);
      const inbox = await (await ctx.sessions.officer_own!.request(`/api/staff/reports?inbox=all&field=${ctx.field}`)).json();
      const codes = inbox.items.map((i: { code: string }) => i.code);
      expect(codes).toContain(own);
      expect(codes).not.toContain(other);
      expect((await ctx.app.request('/api/staff/reports')).status).toBe(401);
      for (const role of ['dispatcher', 'officer_own', 'leader'] as Role[]) {
        expect((await ctx.sessions[role]!.request('/api/admin/users')).status, role).toBe(403);
      }
      expect((await ctx.sessions.admin!.request('/api/admin/users')).status).toBe(200);
    });

    it('allows exactly the transitions of the state machine and answers 409 with the allowed ones otherwise', async () => {
      const ctx = await setup();
      const byTarget: Record<string, { action: string; body: Record<string, unknown> }> = {
        verified: { action: 'verify', body: {} },
        rejected: { action: 'reject', body: { reason: 'duplicate' } },
        assigned: { action: 'assign', body: { unit_id: ctx.unitId } },
        in_progress: { action: 'accept', body: {} },
        resolved: { action: 'resolve', body: { note: 'Đã xử lý xong' } },
      };
      const statuses = Object.keys(TRANSITIONS) as ReportStatus[];
      const problems: string[] = [];
      for (const from of statuses) {
        for (const [to, { action, body }] of Object.entries(byTarget)) {
          const code = await ctx.newReport(from, ctx.unitId);
          const res = await ctx.act('admin', code, { action, ...body });
          const status = (await ctx.db.selectFrom('reports').select('status').where('code', '=', code).executeTakeFirstOrThrow()).status;
          // decline sends an assigned report back to "verified"; verify only applies to "received".
          const machineAllows = TRANSITIONS[from].includes(to as ReportStatus) && !(action === 'verify' && from !== 'received')
            && !(action === 'reject' && !['received', 'verified'].includes(from)) && !(action === 'accept' && !['assigned', 'reopened'].includes(from))
            && !(action === 'resolve' && !['in_progress', 'reopened'].includes(from));
          if (machineAllows && (res.status !== 200 || status !== to)) problems.push(`${from} → ${to}: ${res.status}`);
          if (!machineAllows) {
            if (res.status !== 409) problems.push(`${from} → ${to} should be 409, got ${res.status}`);
            else if (!/Allowed now/.test((await res.json()).error.message)) problems.push(`${from} → ${to}: no allowed list`);
            if (status !== from) problems.push(`${from} → ${to}: changed although refused`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('walks a report through the whole workflow, writing the timeline, audit, outbox and notifications', async () => {
      const ctx = await setup();
      const code = await ctx.newReport('received');
      const steps: [Role, Record<string, unknown>, ReportStatus][] = [
        ['dispatcher', { action: 'verify' }, 'verified'],
        ['dispatcher', { action: 'assign', unit_id: ctx.unitId }, 'assigned'],
        ['officer_own', { action: 'decline', reason: 'Thuộc phường khác' }, 'verified'],
        ['dispatcher', { action: 'assign', unit_id: ctx.unitId }, 'assigned'],
        ['officer_own', { action: 'accept' }, 'in_progress'],
        ['officer_own', { action: 'progress', note: 'Đang thi công', public: false }, 'in_progress'],
        ['officer_own', { action: 'resolve', note: 'Đã sửa xong' }, 'resolved'],
      ];
      for (const [role, body, expected] of steps) {
        const res = await ctx.act(role, code, body);
        expect(res.status, JSON.stringify(body)).toBe(200);
        expect((await res.json()).status).toBe(expected);
      }
      const report = await ctx.db.selectFrom('reports').select(['id', 'status', 'unit_id', 'resolved_at', 'version', 'declined_at']).where('code', '=', code).executeTakeFirstOrThrow();
      expect(report).toMatchObject({ status: 'resolved', unit_id: ctx.unitId, version: 8 });
      expect(report.resolved_at).not.toBeNull();
      const events = await ctx.db.selectFrom('report_events').select(['type', 'public', 'actor_id']).where('report_id', '=', report.id).orderBy('id').execute();
      expect(events.map((e) => `${e.type}:${e.public}`)).toEqual([
        'received:true', 'verified:true', 'assigned:true', 'declined:false', 'assigned:true', 'in_progress:true', 'progress:false', 'resolved:true',
      ]);
      expect(await count(ctx.db, 'audit_log', code)).toBe(7);
      const audit = await ctx.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity_id', '=', code).orderBy('id').execute();
      expect(JSON.parse(audit[2].before!)).toMatchObject({ status: 'assigned', unit_id: ctx.unitId });
      expect(JSON.parse(audit[2].after!)).toMatchObject({ status: 'verified', unit_id: null });
      const outbox = await ctx.db.selectFrom('outbox').select('type').where('report_id', '=', report.id).orderBy('id').execute();
      expect(outbox.map((o) => o.type)).toContain('report.resolved');
      const notes = await ctx.db.selectFrom('notifications').select('status').where('report_id', '=', report.id).orderBy('id').execute();
      expect(notes.map((n) => n.status)).toEqual(['verified', 'assigned', 'assigned', 'in_progress', 'resolved']);
      // The public view hides internal events.
      const view = await (await ctx.app.request(`/api/reports/${code}`)).json();
      expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['received', 'verified', 'assigned', 'assigned', 'in_progress', 'resolved']);
    });

    it('publishes the official response with an after-photo on the public timeline', async () => {
      const ctx = await setup();
      const code = await ctx.newReport('in_progress', ctx.unitId);
      const form = new FormData();
      form.append('text', 'Đơn vị đã vá ổ gà và cắm biển cảnh báo.');
      form.append('photos', new Blob([new Uint8Array(fixtureFile('gps-tagged.jpg'))], { type: 'image/jpeg' }), 'after.jpg');
      const res = await ctx.sessions.officer_own!.request(`/api/staff/reports/${code}/response`, { method: 'POST', body: form });
      expect(res.status).toBe(201);
      const view = await (await ctx.app.request(`/api/reports/${code}`)).json();
      const response = view.timeline.find((e: { type: string }) => e.type === 'response');
      expect(response.note).toBe('Đơn vị đã vá ổ gà và cắm biển cảnh báo.');
      expect(view.media.filter((m: { event_id: string }) => m.event_id === response.id)).toHaveLength(1);
      const other = await ctx.sessions.officer_other!.request(`/api/staff/reports/${code}/response`, { method: 'POST', body: (() => { const f = new FormData(); f.append('text', 'Không phải đơn vị này'); return f; })() });
      expect(other.status).toBe(404);
    });

    it('merges a duplicate: followers move to the parent', async () => {
      const ctx = await setup();
      const parent = await ctx.newReport('verified');
      const child = await ctx.newReport('received');
      await ctx.app.request(`/api/reports/${child}/follow`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      const res = await ctx.act('dispatcher', child, { action: 'merge', parent_code: parent });
      expect(res.status).toBe(200);
      const rows = await ctx.db.selectFrom('reports').select(['code', 'status', 'follower_count', 'parent_id', 'id']).where('code', 'in', [parent, child]).execute();
      const p = rows.find((r) => r.code === parent)!;
      const c = rows.find((r) => r.code === child)!;
      expect(c).toMatchObject({ status: 'merged', parent_id: p.id });
      expect(p.follower_count).toBe(2);
      const followers = await ctx.db.selectFrom('report_followers').select('report_id').where('report_id', 'in', [p.id, c.id]).execute();
      expect(followers.map((f) => f.report_id)).toEqual([p.id]);
      expect((await ctx.act('dispatcher', parent, { action: 'merge', parent_code: parent })).status).toBe(400);
    });

    it('keeps concurrent assignments safe: one wins, the other gets 409 stale_report, nothing lost', async () => {
      const ctx = await setup();
      const code = await ctx.newReport('verified');
      const second = await loginAs(ctx.app, await createStaff(ctx.db, 'dispatcher'));
      const { version } = await ctx.db.selectFrom('reports').select('version').where('code', '=', code).executeTakeFirstOrThrow();
      const [a, b] = await Promise.all([
        ctx.sessions.dispatcher!.request(`/api/staff/reports/${code}/actions`, { json: { action: 'assign', unit_id: ctx.unitId, version } }),
        second.request(`/api/staff/reports/${code}/actions`, { json: { action: 'assign', unit_id: ctx.otherUnitId, version } }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect((await loser.json()).error.code).toBe('stale_report');
      const row = await ctx.db.selectFrom('reports').select(['unit_id', 'version']).where('code', '=', code).executeTakeFirstOrThrow();
      const winnerUnit = a.status === 200 ? ctx.unitId : ctx.otherUnitId;
      expect(row).toEqual({ unit_id: winnerUnit, version: version + 1 });
      expect(await count(ctx.db, 'audit_log', code)).toBe(1);
    });

    it('bulk-assigns all or nothing', async () => {
      const ctx = await setup();
      const a = await ctx.newReport('verified');
      const b = await ctx.newReport('verified');
      const closed = await ctx.newReport('closed');
      const bad = await ctx.sessions.dispatcher!.request('/api/staff/reports/bulk-assign', { json: { codes: [a, closed, b], unit_id: ctx.unitId } });
      expect(bad.status).toBe(409);
      expect((await bad.json()).error.fields['codes.1']).toBeTruthy();
      const untouched = await ctx.db.selectFrom('reports').select('status').where('code', 'in', [a, b]).execute();
      expect(untouched.map((r) => r.status)).toEqual(['verified', 'verified']);
      const ok = await ctx.sessions.dispatcher!.request('/api/staff/reports/bulk-assign', { json: { codes: [a, b], unit_id: ctx.unitId } });
      expect((await ok.json()).assigned).toBe(2);
      expect((await ctx.sessions.officer_own!.request('/api/staff/reports/bulk-assign', { json: { codes: [a], unit_id: ctx.unitId } })).status).toBe(403);
    });

    it('pages the inbox by keyset: page_size up to 1000, an opaque cursor, no row twice or missed while reports arrive', async () => {
      const ctx = await setup();
      const older: string[] = [];
      for (let i = 0; i < 7; i++) older.push(await ctx.newReport('verified'));
      const page = async (q: string) => {
        const res = await ctx.sessions.dispatcher!.request(`/api/staff/reports?field=${ctx.field}&${q}`);
        expect(res.status, q).toBe(200);
        return res.json() as Promise<{ items: { code: string }[]; next_cursor: string | null }>;
      };
      const seen: string[] = [];
      let next = await page('page_size=3');
      seen.push(...next.items.map((i) => i.code));
      // Newer reports arriving between pages sort before the cursor: they neither shift nor repeat later pages.
      const newer = [await ctx.newReport('verified'), await ctx.newReport('verified')];
      while (next.next_cursor) {
        expect(next.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        next = await page(`page_size=3&cursor=${next.next_cursor}`);
        seen.push(...next.items.map((i) => i.code));
      }
      expect(seen).toEqual([...older].reverse());
      expect((await page('page_size=1000')).items.map((i) => i.code)).toEqual([...older, ...newer].reverse());
      // The former name still works, within the same bound.
      expect((await page('limit=2')).items).toHaveLength(2);
      for (const q of ['page_size=1001', 'limit=5000', 'page_size=0', 'page_size=abc', 'cursor=not-a-cursor']) {
        const res = await ctx.sessions.dispatcher!.request(`/api/staff/reports?${q}`);
        expect(res.status, q).toBe(400);
        const body = await res.json();
        expect(body.error.code).toBe('validation_failed');
        expect(Object.keys(body.error.fields), q).toEqual([q.split('=')[0]]);
      }
      const over = await (await ctx.sessions.dispatcher!.request('/api/staff/reports?page_size=1001')).json();
      expect(over.error.fields.page_size).toBe('page_size must be at most 1000');
    });

    it('filters and pages the inbox by SLA state, and exposes it', async () => {
      const ctx = await setup();
      const now = Date.now();
      const mk = async (createdHoursAgo: number, dueInHours: number) => {
        const code = await ctx.newReport('assigned', ctx.unitId);
        await ctx.db.updateTable('reports').set({ created_at: new Date(now - createdHoursAgo * 3_600_000), due_at: new Date(now + dueInHours * 3_600_000) }).where('code', '=', code).execute();
        return code;
      };
      const onTrack = await mk(10, 90);
      const dueSoon = await mk(95, 5);
      const overdue = await mk(100, -10);
      const late3x = await mk(400, -300);
      const list = async (q: string) => (await (await ctx.sessions.dispatcher!.request(`/api/staff/reports?field=${ctx.field}&${q}`)).json());
      const all = await list('limit=50');
      const sla = Object.fromEntries(all.items.map((i: { code: string; sla: string }) => [i.code, i.sla]));
      expect(sla).toEqual({ [onTrack]: 'on_track', [dueSoon]: 'due_soon', [overdue]: 'overdue', [late3x]: 'late_3x' });
      expect((await list('sla=overdue,late_3x')).items.map((i: { code: string }) => i.code).sort()).toEqual([overdue, late3x].sort());
      expect((await list('inbox=overdue')).items).toHaveLength(2);
      const byDue = await list('sort=due&limit=2');
      expect(byDue.items.map((i: { code: string }) => i.code)).toEqual([late3x, overdue]);
      const next = await list(`sort=due&limit=2&cursor=${byDue.next_cursor}`);
      expect(next.items.map((i: { code: string }) => i.code)).toEqual([dueSoon, onTrack]);
      expect((await ctx.sessions.dispatcher!.request('/api/staff/reports?sla=late')).status).toBe(400);
    });
  });
}
