import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What dependency-cruiser (npm run lint:deps) cannot see: a route or a
 * service that writes SQL itself through the handle it was given. Queries
 * live in server/db/*.repo.ts, where their SQL is in one place and
 * server/queries/ snapshots the important ones. Services may still open
 * transactions and pass them to the repositories.
 */
const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql(<[^>]*>)?`|\bsql\.(raw|lit|ref|join|table|id)\(/;

function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

describe('layering', () => {
  it('routes and services write no SQL: every query is in server/db', () => {
    const offending: string[] = [];
    for (const file of [...sourceFiles('server/routes'), ...sourceFiles('server/services')]) {
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (QUERY.test(line)) offending.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(offending).toEqual([]);
  });

  it('finds a query where there is one (the check itself works)', () => {
    expect(QUERY.test("await trx.selectFrom('reports').select('id')")).toBe(true);
    expect(QUERY.test('const { rows } = await sql<{ n: number }>`select 1`.execute(db);')).toBe(true);
    expect(QUERY.test('await db.transaction().execute(async (trx) => insertOutbox(trx, event));')).toBe(false);
  });
});
