import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/create-db.js';
import { engineOf } from '../../server/db/engine.js';
import { embeddedCopyDir } from './context.js';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');

/** `npm run db:seed -- …` against the embedded database in dataDir: its exit code and output. */
async function seedCli(dataDir: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(TSX, ['server/cli/seed.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every row the seed writes for the reports, whole. */
async function seededRows(dataDir: string) {
  const db = await createDb({ dataDir });
  try {
    const rows = async (table: string) =>
      (await sql<{ row: Record<string, unknown> }>`select to_jsonb(t) as row from ${sql.table(table)} t order by t.id`.execute(db)).rows.map((r) => r.row);
    return { reports: await rows('reports'), events: await rows('report_events'), ratings: await rows('ratings') };
  } finally {
    await engineOf(db).close();
  }
}

// Each seed gets fresh databases of its own: the command writes units,
// staff and routing rules that the shared test database must not get.
describe('npm run db:seed -- --now [embedded, own databases]', () => {
  it('writes the same report rows for the same --seed and --now, in the year before --now', async () => {
    const now = '2024-01-10T08:00:00+07:00';
    const dirs = [await embeddedCopyDir('seed-now-a'), await embeddedCopyDir('seed-now-b')];
    for (const dir of dirs) {
      const { code, stderr } = await seedCli(dir, ['--reports', '300', '--seed', '9', '--now', now]);
      expect(code, stderr).toBe(0);
    }
    const [first, second] = [await seededRows(dirs[0]), await seededRows(dirs[1])];
    expect(first.reports).toHaveLength(300);
    expect(first.events.length).toBeGreaterThan(300);
    expect(second).toEqual(first);
    // The window ends at --now, not at the clock of the machine.
    const created = first.reports.map((r) => Date.parse(String(r.created_at)));
    expect(Math.max(...created)).toBeLessThan(Date.parse(now));
    expect(Math.min(...created)).toBeGreaterThanOrEqual(Date.parse(now) - 365 * 86_400_000);
  }, 180_000);

  it('refuses a --now that is not an instant with its offset, and a --reports over 20,000,000, before opening a database', async () => {
    const dir = path.resolve('.tmp', `seed-refused-${process.pid}`);
    const bad = ['2024-01-10', '2024-01-10T08:00:00', '2024-01-10 08:00:00+07:00', '2024-02-30T08:00:00Z', '2024-01-10T08:00:00.1234Z', 'yesterday'];
    const [tooMany, ...refused] = await Promise.all([
      seedCli(dir, ['--reports', '20000001']),
      ...bad.map((now) => seedCli(dir, ['--reports', '10', '--now', now])),
    ]);
    for (const [i, { code, stderr }] of refused.entries()) {
      expect(code, bad[i]).toBe(2);
      expect(stderr).toContain(`--now must be an ISO 8601 instant to the second or millisecond, with Z or an offset, such as 2026-06-15T10:00:00+07:00, got "${bad[i]}"`);
    }
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain('--reports must be an integer between 0 and 20000000, got "20000001"');
    expect(fs.existsSync(dir)).toBe(false);
  }, 120_000);
});
