import { describe, expect, it } from 'vitest';
import { ENGINES, testApp, testDb } from './context.js';

for (const engine of ENGINES) {
  describe(`health [${engine}]`, () => {
    it('reports the engine, the PostGIS version, the migration and the report count', async () => {
      const db = await testDb(engine);
      const res = await testApp(db).app.request('/api/health');
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.ok).toBe(true);
      expect(body.engine).toBe(engine);
      expect(body.postgis).toMatch(/^3\.\d+/);
      expect(body.migration).toBeGreaterThanOrEqual(1);
      const { n } = await db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(body.reports).toBe(Number(n));
    });

    it('answers unknown API routes with the JSON error shape', async () => {
      const res = await testApp(await testDb(engine)).app.request('/api/nope');
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    });
  });
}

describe('embedded engine guard', () => {
  it('refuses a statement over 32,767 parameters instead of corrupting the connection', async () => {
    const db = await testDb('embedded');
    const values = Array.from({ length: 33_000 }, (_, i) => i);
    const { sql } = await import('kysely');
    await expect(sql`select 1 where 1 in (${sql.join(values)})`.execute(db)).rejects.toThrow(/limit of 32767/);
    const { rows } = await sql<{ n: number }>`select 2 as n`.execute(db);
    expect(rows).toEqual([{ n: 2 }]);
  });
});
