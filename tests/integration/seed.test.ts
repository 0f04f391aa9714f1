import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/create-db.js';
import type { Database } from '../../server/db/database.js';
import { engineOf } from '../../server/db/engine.js';
import { migrate } from '../../server/db/migrate.js';
import { ensureCalendar } from '../../server/services/calendar.js';
import { loadGeography } from '../../server/services/geography.js';
import { DEMO_LOGINS, seedDemo } from '../../server/services/seed.js';
import { testApp } from './context.js';
import { loginAs, reportForm } from './factories.js';

// Seeding installs routing rules for the whole province, so it gets a database of its own
// (in memory) instead of the shared one other tests file reports into.
describe('demo seed [embedded, own database]', () => {
  let db: Kysely<Database>;
  const now = new Date('2026-06-15T03:00:00Z');

  beforeAll(async () => {
    db = await createDb({});
    await migrate(db);
    await loadGeography(db);
    await ensureCalendar(db);
    await seedDemo(db, { reports: 1500, seed: 42, now });
  }, 240_000);
  afterAll(async () => engineOf(db).close());

  it('writes the reports with consistent areas, H3 cells and timelines', async () => {
    const { rows } = await sql<{ n: number; outside: number; wrong_district: number; no_events: number; bad_h3: number; rating_mismatch: number }>`
      select count(*)::int as n,
        count(*) filter (where not ST_Covers(w.geom, r.geom))::int as outside,
        count(*) filter (where r.district_id <> w.parent_id)::int as wrong_district,
        count(*) filter (where not exists (select 1 from report_events e where e.report_id = r.id))::int as no_events,
        count(*) filter (where r.h3_r9 = 0 or r.h3_r5 = r.h3_r9)::int as bad_h3,
        count(*) filter (where (r.rating_satisfied is not null) <> exists (select 1 from ratings t where t.report_id = r.id))::int as rating_mismatch
      from reports r join admin_areas w on w.id = r.ward_id`.execute(db);
    expect(rows[0]).toEqual({ n: 1500, outside: 0, wrong_district: 0, no_events: 0, bad_h3: 0, rating_mismatch: 0 });
    const finished = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n'))
      .where('status', 'in', ['resolved', 'closed']).where('resolved_at', 'is', null).executeTakeFirstOrThrow();
    expect(finished.n).toBe(0);
  });

  it('is deterministic for a seed', async () => {
    const first = await db.selectFrom('reports').select(['code', 'title', 'status', 'created_at']).orderBy('id').limit(20).execute();
    const other = await createDb({});
    try {
      await migrate(other);
      await loadGeography(other);
      await seedDemo(other, { reports: 20, seed: 42, now });
      const again = await other.selectFrom('reports').select(['code', 'title', 'status', 'created_at']).orderBy('id').execute();
      expect(again).toEqual(first);
    } finally {
      await engineOf(other).close();
    }
  }, 240_000);

  it('ships routing rules that route a new report, and working demo logins', async () => {
    const rules = await db.selectFrom('routing_rules').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(rules.n).toBeGreaterThan(102);
    const templates = await db.selectFrom('response_templates').select('field_code').where('field_code', '=', 'road').execute();
    expect(templates).toHaveLength(1);
    const { app } = testApp(db);
    const power = await (await app.request('/api/reports', { method: 'POST', body: reportForm({ field: 'power', title: 'Mất điện cả khu phố' }) })).json();
    expect(power.unit.name).toMatch(/Điện lực/);
    const lighting = await (await app.request('/api/reports', { method: 'POST', body: reportForm({ field: 'lighting', title: 'Đèn đường không sáng' }) })).json();
    expect(lighting.unit.name).toBe('UBND phường Buôn Ma Thuột');
    for (const login of DEMO_LOGINS) {
      const session = await loginAs(app, login);
      expect((await (await session.request('/api/auth/me')).json()).user.role).toBe(login.role);
    }
  });
});
