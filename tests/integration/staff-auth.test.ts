import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { authenticate, login, sessionHash } from '../../server/services/auth.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createStaff, createUnit, createField, loginAs } from './factories.js';

const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

for (const engine of ENGINES) {
  describe(`staff authentication [${engine}]`, () => {
    it('logs in with an HttpOnly SameSite=Lax cookie holding a ≥128-bit opaque token, stored only as a hash', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const creds = await createStaff(db, 'dispatcher');
      const res = await app.request('/api/auth/login', json({ username: creds.username, password: creds.password }));
      expect(res.status).toBe(200);
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^civic_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const token = setCookie.split(';')[0].split('=')[1];
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
      const rows = await db.selectFrom('staff_sessions').select('id_hash').where('user_id', '=', creds.id).execute();
      expect(rows).toEqual([{ id_hash: sessionHash(token) }]);
      const me = await app.request('/api/auth/me', { headers: { cookie: `civic_session=${token}` } });
      expect((await me.json()).user.role).toBe('dispatcher');
    });

    it('sets Secure and the __Host- prefix behind https', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { PUBLIC_BASE_URL: 'https://phananh.daklak.gov.vn' });
      const creds = await createStaff(db, 'leader');
      const res = await app.request('/api/auth/login', json({ username: creds.username, password: creds.password }));
      expect(res.headers.get('set-cookie')).toMatch(/^__Host-civic_session=.*Secure/);
    });

    it('gives the same answer for an unknown user and a wrong password', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const creds = await createStaff(db, 'officer', await createUnit(db, { areaCode: '24133', fieldCodes: [] }));
      const unknown = await app.request('/api/auth/login', json({ username: 'nobody-here', password: 'whatever-123' }));
      const wrong = await app.request('/api/auth/login', json({ username: creds.username, password: 'wrong-password' }));
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(await unknown.json()).toEqual(await wrong.json());
    });

    it('rotates the session id on login and revokes the old one', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const creds = await createStaff(db, 'dispatcher');
      const first = await loginAs(app, creds);
      const res = await app.request('/api/auth/login', { ...json({ username: creds.username, password: creds.password }), headers: { 'content-type': 'application/json', cookie: first.cookie } });
      const second = res.headers.get('set-cookie')!.split(';')[0];
      expect(second).not.toBe(first.cookie);
      expect((await app.request('/api/auth/me', { headers: { cookie: first.cookie } })).status).toBe(401);
      expect((await app.request('/api/auth/me', { headers: { cookie: second } })).status).toBe(200);
    });

    it('expires sessions after 30 idle minutes and after 12 hours whatever the activity', async () => {
      const db = await testDb(engine);
      const creds = await createStaff(db, 'leader');
      const t0 = new Date('2026-03-02T01:00:00Z');
      const s = await login(db, { username: creds.username, password: creds.password, ip: 'test-idle', userAgent: null }, t0);
      await db.updateTable('staff_sessions').set({ created_at: t0, last_seen_at: t0 } as never).where('id_hash', '=', sessionHash(s.token)).execute();
      expect(await authenticate(db, s.token, new Date(t0.getTime() + 29 * 60_000))).toBeDefined();
      expect(await authenticate(db, s.token, new Date(t0.getTime() + 29 * 60_000 + 31 * 60_000))).toBeUndefined();
      const revoked = await db.selectFrom('staff_sessions').select('revoked_at').where('id_hash', '=', sessionHash(s.token)).executeTakeFirstOrThrow();
      expect(revoked.revoked_at).not.toBeNull();

      const s2 = await login(db, { username: creds.username, password: creds.password, ip: 'test-abs', userAgent: null }, t0);
      await db.updateTable('staff_sessions').set({ created_at: t0, last_seen_at: t0 } as never).where('id_hash', '=', sessionHash(s2.token)).execute();
      // Active every 20 minutes: alive at 11 h 40, dead past 12 h.
      for (let m = 20; m <= 700; m += 20) expect(await authenticate(db, s2.token, new Date(t0.getTime() + m * 60_000))).toBeDefined();
      expect(await authenticate(db, s2.token, new Date(t0.getTime() + 12 * 60 * 60_000 + 60_000))).toBeUndefined();
    });

    it('revokes sessions at once on logout and when an admin disables the account', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const adminCreds = await createStaff(db, 'admin');
      const victim = await createStaff(db, 'dispatcher');
      const admin = await loginAs(app, adminCreds);
      const session = await loginAs(app, victim);
      expect((await session.request('/api/auth/me')).status).toBe(200);
      const res = await admin.request(`/api/admin/users/${victim.id}`, { method: 'PATCH', json: { disabled: true } });
      expect(res.status).toBe(200);
      expect((await session.request('/api/auth/me')).status).toBe(401);
      expect((await app.request('/api/auth/login', json({ username: victim.username, password: victim.password }))).status).toBe(401);
      const audit = await db.selectFrom('audit_log').select(['action', 'actor_id']).where('entity', '=', 'staff_user').where('entity_id', '=', String(victim.id))
        .where('action', 'not like', 'auth.%').execute();
      expect(audit).toEqual([{ action: 'user.update', actor_id: adminCreds.id }]);

      const other = await loginAs(app, adminCreds);
      expect((await other.request('/api/auth/logout', { method: 'POST' })).status).toBe(200);
      expect((await other.request('/api/auth/me')).status).toBe(401);
    });

    it('backs off after repeated failures, with 429 and Retry-After, even for the right password', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const creds = await createStaff(db, 'dispatcher');
      for (let i = 0; i < 5; i++) {
        expect((await app.request('/api/auth/login', json({ username: creds.username, password: `bad-${i}-password` }))).status).toBe(401);
      }
      const locked = await app.request('/api/auth/login', json({ username: creds.username, password: creds.password }));
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await locked.json()).error.code).toBe('too_many_attempts');
      // The lock is on this source (address + username); tests/integration/staff-mfa.test.ts shows other sources are not slowed.
      const row = await db.selectFrom('login_throttle').select(['failures', 'locked_until']).where('key', '=', `src:unknown|${creds.username}`).executeTakeFirstOrThrow();
      expect(row.failures).toBe(5);
      expect(row.locked_until!.getTime()).toBeGreaterThan(Date.now());
      // Once the lock has passed, the right password works and the counters reset.
      await db.updateTable('login_throttle').set({ locked_until: new Date(Date.now() - 1000) }).where('key', '=', `src:unknown|${creds.username}`).execute();
      expect((await app.request('/api/auth/login', json({ username: creds.username, password: creds.password }))).status).toBe(200);
      const cleared = await db.selectFrom('login_throttle').select('key').where('key', 'in', [`src:unknown|${creds.username}`, `acct:${creds.username}`]).execute();
      expect(cleared).toHaveLength(0);
    });

    it('refuses state changes without the CSRF token, and never changes state over GET', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const dispatcher = await loginAs(app, await createStaff(db, 'dispatcher'));
      const created = await (await app.request('/api/reports', { method: 'POST', body: (await import('./factories.js')).reportForm({ field }) })).json();
      const noToken = await dispatcher.request(`/api/staff/reports/${created.code}/actions`, { json: { action: 'verify' }, headers: { 'x-csrf-token': '' } });
      expect(noToken.status).toBe(403);
      expect((await noToken.json()).error.code).toBe('csrf_failed');
      const wrong = await dispatcher.request(`/api/staff/reports/${created.code}/actions`, { json: { action: 'verify' }, headers: { 'x-csrf-token': 'x'.repeat(43) } });
      expect(wrong.status).toBe(403);
      const get = await dispatcher.request(`/api/staff/reports/${created.code}/actions`);
      expect(get.status).toBe(404);
      const row = await db.selectFrom('reports').select('status').where('code', '=', created.code).executeTakeFirstOrThrow();
      expect(row.status).toBe('received');
      expect((await dispatcher.request(`/api/staff/reports/${created.code}/actions`, { json: { action: 'verify' } })).status).toBe(200);
    });

    it('keeps the password minimum and unique usernames when admins create users', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const admin = await loginAs(app, await createStaff(db, 'admin'));
      const short = await admin.request('/api/admin/users', { json: { username: 'newbie', display_name: 'New Bie', password: 'short', role: 'leader' } });
      expect(short.status).toBe(400);
      expect((await short.json()).error.fields.password).toMatch(/At least 12/);
      const noUnit = await admin.request('/api/admin/users', { json: { username: 'off.nounit', display_name: 'Officer', password: 'amber river lantern 42', role: 'officer' } });
      expect((await noUnit.json()).error.fields.unit_id).toMatch(/unit/);
      const name = `lead${Date.now()}`;
      expect((await admin.request('/api/admin/users', { json: { username: name, display_name: 'Leader', password: 'amber river lantern 42', role: 'leader' } })).status).toBe(201);
      const dup = await admin.request('/api/admin/users', { json: { username: name, display_name: 'Leader', password: 'amber river lantern 42', role: 'leader' } });
      expect(dup.status).toBe(400);
      expect((await dup.json()).error.fields.username).toMatch(/taken/);
      const { n } = await db.selectFrom('staff_users').select(sql<number>`count(*)::int`.as('n')).where('username', '=', name).executeTakeFirstOrThrow();
      expect(n).toBe(1);
    });
  });
}

for (const engine of ENGINES) {
  describe(`API keys managed by admins [${engine}]`, () => {
    it('issues a key once, stores only its hash, audits, and revokes it for Open311', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const adminCreds = await createStaff(db, 'admin');
      const admin = await loginAs(app, adminCreds);
      const res = await admin.request('/api/admin/api-keys', { json: { client_name: 'Zalo mini app', scope: 'own' } });
      expect(res.status).toBe(201);
      const { id, key } = await res.json();
      expect(key).toMatch(/^co311_/);
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(key);
      const list = await (await admin.request('/api/admin/api-keys')).text();
      expect(list).toContain('Zalo mini app');
      expect(list).not.toContain(key);
      expect((await admin.request(`/api/admin/api-keys/${id}`, { method: 'DELETE' })).status).toBe(200);
      const revoked = await db.selectFrom('api_keys').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow();
      expect(revoked.revoked_at).not.toBeNull();
      const audit = await db.selectFrom('audit_log').select('action').where('entity', '=', 'api_key').where('entity_id', '=', String(id)).orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['api_key.create', 'api_key.revoke']);
      const dispatcher = await loginAs(app, await createStaff(db, 'dispatcher'));
      expect((await dispatcher.request('/api/admin/api-keys', { json: { client_name: 'x' } })).status).toBe(403);
    });
  });
}
