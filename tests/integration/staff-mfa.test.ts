import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import * as OTPAuth from 'otpauth';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';
import { ENGINES, testApp, testConfig, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs, reportForm } from './factories.js';

type App = ReturnType<typeof testApp>['app'];

/** A fresh address per call (sent as X-Forwarded-For behind TRUST_PROXY=1), so tests never share a throttle source. */
const addressPool = () => `203.0.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;

function post(app: App, path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
}

function login(app: App, body: { username: string; password: string; totp?: string }, from = addressPool()) {
  return post(app, '/api/auth/login', body, { 'x-forwarded-for': from });
}

/** A session from a login reply, with the cookie and CSRF header on every request. */
async function sessionOf(app: App, res: Response) {
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const body = await res.json();
  const request = (path: string, init: { method?: string; json?: unknown } = {}) => {
    const method = init.method ?? (init.json !== undefined ? 'POST' : 'GET');
    const headers: Record<string, string> = { cookie, 'x-csrf-token': body.csrf_token };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return app.request(path, { method, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  };
  return { cookie, body, request };
}

const codeAt = (secret: string, at: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });

const auditRows = (db: Awaited<ReturnType<typeof testDb>>, action: string, entityId?: string) =>
  db.selectFrom('audit_log').selectAll().where('action', '=', action)
    .$if(entityId !== undefined, (q) => q.where('entity_id', '=', entityId!)).orderBy('id').execute();

for (const engine of ENGINES) {
  describe(`finding 9: failures slow the source, never the owner [${engine}]`, () => {
    it('lets the right password in from another address after many failures elsewhere', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { TRUST_PROXY: '1' });
      const victim = await createStaff(db, 'dispatcher');
      // Failures spread over many attacking addresses, then many from one.
      for (let i = 0; i < 8; i++) expect((await login(app, { username: victim.username, password: `guess-${i}-password` })).status).toBe(401);
      const attacker = addressPool();
      for (let i = 0; i < 6; i++) await login(app, { username: victim.username, password: `guess-${i}-password` }, attacker);
      expect((await login(app, { username: victim.username, password: `guess-x-password` }, attacker)).status).toBe(429);
      // The owner, from their own address, is not slowed at all.
      expect((await login(app, victim)).status).toBe(200);
      // The account's own count (15 failures from everywhere) never blocked; at 10 it raised one event.
      const targeted = await auditRows(db, 'auth.login.targeted', String(victim.id));
      expect(targeted.map((r) => JSON.parse(r.after!))).toEqual([{ failures: 10 }]);
    });

    it('keeps slowing the attacking address, for the right password too, with Retry-After', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { TRUST_PROXY: '1' });
      const victim = await createStaff(db, 'dispatcher');
      const attacker = addressPool();
      for (let i = 0; i < 5; i++) expect((await login(app, { username: victim.username, password: `bad-${i}-password` }, attacker)).status).toBe(401);
      const locked = await login(app, victim, attacker);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe(`password policy [${engine}]`, () => {
    it('refuses short, common and keyboard-walk passwords on create, reset and self-service change, per field', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const admin = await loginAs(app, await createStaff(db, 'admin'));
      const target = await createStaff(db, 'leader');
      for (const weak of ['1234567890', 'qwertyuiop', 'password12', 'password1234', 'qwertyuiop12', '123456789012']) {
        const created = await admin.request('/api/admin/users', { json: { username: `weak${crypto.randomInt(1e6)}`, display_name: 'Weak', password: weak, role: 'leader' } });
        expect(created.status, weak).toBe(400);
        expect((await created.json()).error.fields.password, weak).toMatch(/At least 12|Too easy to guess/);
        const reset = await admin.request(`/api/admin/users/${target.id}`, { method: 'PATCH', json: { password: weak } });
        expect(reset.status, weak).toBe(400);
        expect((await reset.json()).error.fields.password).toMatch(/At least 12|Too easy to guess/);
      }
      // The username itself is a guessable input.
      const own = await admin.request('/api/admin/users', { json: { username: 'nguyenvanan', display_name: 'Nguyễn Văn An', password: 'nguyenvanan2025', role: 'leader' } });
      expect((await own.json()).error.fields.password).toMatch(/Too easy to guess/);

      const self = await loginAs(app, target);
      const change = await self.request('/api/auth/password', { json: { current_password: target.password, new_password: 'password1234' } });
      expect(change.status).toBe(400);
      expect((await change.json()).error.fields.new_password).toMatch(/Too easy to guess/);
    });

    it('lets staff change their own password with the current one, ending their other sessions', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { TRUST_PROXY: '1' });
      const creds = await createStaff(db, 'officer', await createUnit(db, { areaCode: '24133', fieldCodes: [] }));
      const here = await sessionOf(app, await login(app, creds));
      const elsewhere = await sessionOf(app, await login(app, creds));
      const wrong = await here.request('/api/auth/password', { json: { current_password: 'not-my-password', new_password: 'river lantern copper 42' } });
      expect(wrong.status).toBe(400);
      expect((await wrong.json()).error.fields.current_password).toMatch(/wrong/);
      const ok = await here.request('/api/auth/password', { json: { current_password: creds.password, new_password: 'river lantern copper 42' } });
      expect(ok.status).toBe(200);
      expect((await here.request('/api/auth/me')).status).toBe(200);
      expect((await elsewhere.request('/api/auth/me')).status).toBe(401);
      expect((await login(app, creds)).status).toBe(401);
      expect((await login(app, { username: creds.username, password: 'river lantern copper 42' })).status).toBe(200);
      const events = await auditRows(db, 'auth.password.change', String(creds.id));
      expect(events.map((e) => [e.outcome, e.actor_id])).toEqual([['success', creds.id]]);
    });

    it('forces a change at next login after an admin reset: that session can only change the password', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const adminCreds = await createStaff(db, 'admin');
      const admin = await loginAs(app, adminCreds);
      const user = await createStaff(db, 'leader');
      expect((await admin.request(`/api/admin/users/${user.id}`, { method: 'PATCH', json: { password: 'temporary amber falcon 7' } })).status).toBe(200);
      const res = await login(app, { username: user.username, password: 'temporary amber falcon 7' });
      const s = await sessionOf(app, res);
      expect(s.body.restriction).toBe('password_change_required');
      const blocked = await s.request('/api/staff/reports');
      expect(blocked.status).toBe(403);
      expect((await blocked.json()).error.code).toBe('password_change_required');
      expect((await s.request('/api/auth/me')).status).toBe(200);
      expect((await s.request('/api/auth/password', { json: { current_password: 'temporary amber falcon 7', new_password: 'my own quiet harbour 88' } })).status).toBe(200);
      expect((await s.request('/api/staff/reports')).status).toBe(200);
      const reset = await auditRows(db, 'auth.password.reset', String(user.id));
      expect(reset.map((r) => [r.actor_id, r.outcome])).toEqual([[adminCreds.id, 'success']]);
    });
  });

  describe(`TOTP second factor [${engine}]`, () => {
    it('makes an unenrolled admin enrol first, then asks for a code at every login, refusing replays', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { MFA_REQUIRED_ROLES: 'admin,dispatcher', TRUST_PROXY: '1' });
      const creds = await createStaff(db, 'admin');
      const first = await sessionOf(app, await login(app, creds));
      expect(first.body.restriction).toBe('totp_enrolment_required');
      const blocked = await first.request('/api/admin/users');
      expect(blocked.status).toBe(403);
      expect((await blocked.json()).error.code).toBe('totp_enrolment_required');
      expect((await first.request('/api/auth/totp/disable', { json: { password: creds.password } })).status).toBe(409);

      expect((await first.request('/api/auth/totp/enrol', { json: { password: 'wrong-password-here' } })).status).toBe(400);
      const enrol = await first.request('/api/auth/totp/enrol', { json: { password: creds.password } });
      expect(enrol.status).toBe(200);
      expect(enrol.headers.get('cache-control')).toBe('no-store');
      const { secret, otpauth_uri, qr_svg } = await enrol.json();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/civic-ops:/);
      expect(qr_svg).toMatch(/^<svg/);
      expect((await first.request('/api/auth/totp/confirm', { json: { code: '000000' } })).status).toBe(400);
      const now = Date.now();
      const confirm = await first.request('/api/auth/totp/confirm', { json: { code: codeAt(secret, now) } });
      expect(confirm.status).toBe(200);
      const { recovery_codes } = await confirm.json();
      expect(recovery_codes).toHaveLength(10);
      expect(new Set(recovery_codes).size).toBe(10);
      expect((await first.request('/api/admin/users')).status).toBe(200);

      // Secrets at rest: recovery codes hashed; the secret never in any admin answer or audit row.
      const stored = await db.selectFrom('staff_recovery_codes').select('code_hash').where('user_id', '=', creds.id).execute();
      expect(JSON.stringify(stored)).not.toContain(recovery_codes[0]);
      const users = await (await first.request('/api/admin/users')).text();
      expect(users).not.toContain(secret);
      expect(JSON.parse(users).find((u: { id: number }) => u.id === creds.id).totp_enabled).toBe(true);
      const audit = await db.selectFrom('audit_log').select(['after', 'before', 'reason']).where('entity_id', '=', String(creds.id)).execute();
      expect(JSON.stringify(audit)).not.toContain(secret);

      const needCode = await login(app, creds);
      expect(needCode.status).toBe(401);
      expect((await needCode.json()).error.code).toBe('totp_required');
      // The code that confirmed enrolment is spent.
      const replay = await login(app, { ...creds, totp: codeAt(secret, now) });
      expect(replay.status).toBe(401);
      expect((await replay.json()).error.code).toBe('totp_invalid');
      // The next step's code (within the allowed drift) works once.
      const next = codeAt(secret, now + 30_000);
      const good = await sessionOf(app, await login(app, { ...creds, totp: next }));
      expect(good.body.restriction).toBeNull();
      expect((await good.request('/api/admin/users')).status).toBe(200);
      expect((await login(app, { ...creds, totp: next })).status).toBe(401);

      // A recovery code works once, in the same field.
      expect((await login(app, { ...creds, totp: recovery_codes[3] })).status).toBe(200);
      expect((await login(app, { ...creds, totp: recovery_codes[3] })).status).toBe(401);
      const status = await (await good.request('/api/auth/account')).json();
      expect(status).toMatchObject({ totp_enabled: true, totp_required: true, recovery_codes_left: 9 });

      // Regenerating needs an unspent code and replaces every old recovery code.
      expect((await good.request('/api/auth/totp/recovery-codes', { json: { code: next } })).status).toBe(400);
      // As if the clock had moved on past the last step used.
      await db.updateTable('staff_users').set({ totp_last_step: null }).where('id', '=', creds.id).execute();
      const regen = await good.request('/api/auth/totp/recovery-codes', { json: { code: codeAt(secret, Date.now()) } });
      expect(regen.status).toBe(200);
      const fresh = (await regen.json()).recovery_codes as string[];
      expect((await login(app, { ...creds, totp: recovery_codes[4] })).status).toBe(401);
      expect((await login(app, { ...creds, totp: fresh[0] })).status).toBe(200);
      const events = (await db.selectFrom('audit_log').select(['action', 'outcome', 'reason']).where('entity', '=', 'staff_user').where('entity_id', '=', String(creds.id)).orderBy('id').execute())
        .map((e) => `${e.action}:${e.outcome}${e.reason ? `:${e.reason}` : ''}`);
      expect(events).toEqual(expect.arrayContaining([
        'auth.login:success', 'auth.totp.enrol:failure:invalid_code', 'auth.totp.enrol:success', 'auth.login:refused:totp_required',
        'auth.totp:failure:invalid_code',
      ]));
    });

    it('is optional for other roles, which may enrol and disable it with the password', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { MFA_REQUIRED_ROLES: 'admin,dispatcher', TRUST_PROXY: '1' });
      const creds = await createStaff(db, 'leader');
      const s = await sessionOf(app, await login(app, creds));
      expect(s.body.restriction).toBeNull();
      expect((await s.request('/api/staff/reports')).status).toBe(200);
      const { secret } = await (await s.request('/api/auth/totp/enrol', { json: { password: creds.password } })).json();
      expect((await s.request('/api/auth/totp/confirm', { json: { code: codeAt(secret, Date.now()) } })).status).toBe(200);
      expect((await login(app, creds)).status).toBe(401);
      expect((await s.request('/api/auth/totp/disable', { json: { password: creds.password } })).status).toBe(200);
      expect((await login(app, creds)).status).toBe(200);
      expect((await auditRows(db, 'auth.totp.disable', String(creds.id))).length).toBe(1);
    });

    it('validates MFA_REQUIRED_ROLES', () => {
      expect(testConfig({ MFA_REQUIRED_ROLES: undefined }).mfaRequiredRoles).toEqual(['admin', 'dispatcher']);
      expect(testConfig({ MFA_REQUIRED_ROLES: 'officer,leader,officer' }).mfaRequiredRoles).toEqual(['officer', 'leader']);
      expect(testConfig({ MFA_REQUIRED_ROLES: 'none' }).mfaRequiredRoles).toEqual([]);
      expect(() => testConfig({ MFA_REQUIRED_ROLES: 'admins' })).toThrow(/MFA_REQUIRED_ROLES: must be "none" or a comma-separated list/);
    });

    it('lets an admin reset a lost second factor, which makes the user enrol again', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { MFA_REQUIRED_ROLES: 'admin,dispatcher', TRUST_PROXY: '1' });
      const admin = await createStaff(db, 'admin');
      const adminSession = await sessionOf(app, await login(app, admin));
      const { secret } = await (await adminSession.request('/api/auth/totp/enrol', { json: { password: admin.password } })).json();
      await adminSession.request('/api/auth/totp/confirm', { json: { code: codeAt(secret, Date.now()) } });
      const user = await createStaff(db, 'dispatcher');
      const u = await sessionOf(app, await login(app, user));
      const { secret: userSecret } = await (await u.request('/api/auth/totp/enrol', { json: { password: user.password } })).json();
      await u.request('/api/auth/totp/confirm', { json: { code: codeAt(userSecret, Date.now()) } });
      expect((await login(app, user)).status).toBe(401);
      expect((await adminSession.request(`/api/admin/users/${user.id}`, { method: 'PATCH', json: { reset_totp: true } })).status).toBe(200);
      expect((await sessionOf(app, await login(app, user))).body.restriction).toBe('totp_enrolment_required');
      expect((await auditRows(db, 'auth.totp.reset', String(user.id))).map((r) => r.actor_id)).toEqual([admin.id]);
    });
  });

  describe(`security event log [${engine}]`, () => {
    it('records logins, failures, logouts, exports and refusals with address and outcome', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { TRUST_PROXY: '1' });
      const creds = await createStaff(db, 'dispatcher');
      const from = addressPool();
      expect((await login(app, { username: creds.username, password: 'wrong-password-x' }, from)).status).toBe(401);
      const s = await sessionOf(app, await login(app, creds, from));
      const logins = await auditRows(db, 'auth.login', String(creds.id));
      expect(logins.map((r) => [r.outcome, r.actor_id, r.ip])).toEqual([['failure', null, from], ['success', creds.id, from]]);
      expect(JSON.parse(logins[1].after!)).toEqual({ factor: 'password' });

      expect((await s.request('/api/export.csv')).status).toBe(200);
      const exports = await db.selectFrom('audit_log').selectAll().where('action', '=', 'export.download').where('actor_id', '=', creds.id).execute();
      expect(exports.map((e) => e.entity_id)).toEqual(['csv']);

      // A write without the CSRF token is refused and recorded against the user.
      const csrf = await app.request('/api/auth/password', { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-forwarded-for': from }, body: '{}' });
      expect(csrf.status).toBe(403);
      const refusals = await db.selectFrom('audit_log').selectAll().where('action', '=', 'access.refused').where('actor_id', '=', creds.id).execute();
      expect(refusals.map((r) => [r.reason, r.outcome, r.entity_id, r.ip])).toEqual([['csrf_failed', 'refused', 'POST /api/auth/password', from]]);

      expect((await s.request('/api/auth/logout', { method: 'POST' })).status).toBe(200);
      expect((await auditRows(db, 'auth.logout', String(creds.id))).length).toBe(1);
    });

    it('samples anonymous 401s so a flood writes one row per address and code per minute', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { TRUST_PROXY: '1' });
      const from = addressPool();
      for (let i = 0; i < 25; i++) {
        expect((await app.request('/api/staff/reports', { headers: { 'x-forwarded-for': from } })).status).toBe(401);
      }
      const rows = await db.selectFrom('audit_log').selectAll().where('action', '=', 'access.refused').where('ip', '=', from).execute();
      expect(rows.map((r) => [r.reason, r.actor_id, r.entity_id])).toEqual([['unauthenticated', null, 'GET /api/staff/reports']]);
      const other = addressPool();
      await app.request('/api/staff/reports', { headers: { 'x-forwarded-for': other } });
      expect((await db.selectFrom('audit_log').select('id').where('action', '=', 'access.refused').where('ip', '=', other).execute()).length).toBe(1);
    });

    it('writes one access-log line per request with the route pattern, never the raw path or query', async () => {
      const db = await testDb(engine);
      const lines: Record<string, unknown>[] = [];
      const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
      const config = testConfig({ TRUST_PROXY: '1' });
      const app = createApp({ db, config, logger: pino({ level: 'info' }, sink), storage: new LocalDiskStorage(config.mediaDir) });
      const field = await createField(db);
      const created = await (await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) })).json();
      const creds = await createStaff(db, 'dispatcher');
      const s = await sessionOf(app as App, await login(app as App, creds, '192.0.2.7'));
      const token = 'secret-manage-token-value';
      await app.request(`/api/reports/${created.code}?token=${token}`, { headers: { 'x-forwarded-for': '192.0.2.8' } });
      await s.request(`/api/staff/reports/${created.code}?x=1`);
      const access = lines.filter((l) => l.access);
      const text = JSON.stringify(access);
      expect(text).not.toContain(token);
      expect(text).not.toContain(created.code);
      const pub = access.find((l) => l.ip === '192.0.2.8')!;
      expect(pub).toMatchObject({ method: 'GET', route: '/api/reports/:code', status: expect.any(Number), ms: expect.any(Number) });
      const staffLine = access.find((l) => l.route === '/api/staff/reports/:code')!;
      expect(staffLine).toMatchObject({ method: 'GET', status: 200, staff_id: creds.id });
      expect(lines.some((l) => l.security_event === 'auth.login' && l.outcome === 'success')).toBe(true);
    });
  });

  describe(`audit browser [${engine}]`, () => {
    it('filters by actor, action, outcome, target and time, with keyset pages of at most 1000', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { TRUST_PROXY: '1' });
      const adminCreds = await createStaff(db, 'admin');
      const admin = await sessionOf(app, await login(app, adminCreds));
      const user = await createStaff(db, 'leader');
      for (let i = 0; i < 3; i++) await login(app, { username: user.username, password: `nope-${i}-password` });
      await login(app, user);
      const since = new Date(Date.now() - 60_000).toISOString();
      const page1 = await (await admin.request(`/api/admin/audit?action=auth.login&entity=staff_user&entity_id=${user.id}&page_size=2&from=${encodeURIComponent(since)}`)).json();
      expect(page1.items.map((i: { outcome: string }) => i.outcome)).toEqual(['success', 'failure']);
      expect(page1.next_cursor).toBe(page1.items[1].id);
      const page2 = await (await admin.request(`/api/admin/audit?action=auth.login&entity=staff_user&entity_id=${user.id}&page_size=2&before=${page1.next_cursor}`)).json();
      expect(page2.items.map((i: { outcome: string }) => i.outcome)).toEqual(['failure', 'failure']);
      expect(page2.next_cursor).toBeNull();
      const failures = await (await admin.request(`/api/admin/audit?action=auth.*&outcome=failure&entity_id=${user.id}`)).json();
      expect(failures.items).toHaveLength(3);
      const byActor = await (await admin.request(`/api/admin/audit?actor=${user.username}&action=auth.login`)).json();
      expect(byActor.items.map((i: { actor: { id: number } }) => i.actor.id)).toEqual([user.id]);
      const future = await (await admin.request(`/api/admin/audit?entity_id=${user.id}&from=2099-01-01T00:00:00Z`)).json();
      expect(future.items).toEqual([]);

      const tooBig = await admin.request('/api/admin/audit?page_size=1001');
      expect(tooBig.status).toBe(400);
      expect((await tooBig.json()).error.fields.page_size).toMatch(/1–1000/);
      expect((await admin.request('/api/admin/audit?from=yesterday')).status).toBe(400);
      const leader = await sessionOf(app, await login(app, user));
      expect((await leader.request('/api/admin/audit')).status).toBe(403);
    });
  });
}
