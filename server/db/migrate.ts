import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { runPendingDataFixes } from './data-fixes.js';
import { engineOf } from './engine.js';

export const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

export interface MigrationFile {
  version: number;
  name: string;
  file: string;
}

/** Lists sql/NNNN_name.sql in version order; a gap or a duplicate number is a mistake worth stopping for. */
export function listMigrations(dir = SQL_DIR): MigrationFile[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const migrations = files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
    return { version: Number(match[1]), name: match[2], file: path.join(dir, file) };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${path.basename(m.file)} is out of sequence (expected ${i + 1})`);
  });
  return migrations;
}

/**
 * Applies pending migrations in order, each in its own transaction together
 * with its schema_migrations row, then finishes any data fix they asked for
 * (server/db/data-fixes.ts), and returns the latest applied version.
 */
export async function migrate(db: Kysely<Database>, dir = SQL_DIR): Promise<number> {
  const engine = engineOf(db);
  await engine.execScript(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const applied = new Set(
    (await db.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version),
  );
  let latest = applied.size ? Math.max(...applied) : 0;
  for (const migration of listMigrations(dir)) {
    if (applied.has(migration.version)) continue;
    const script = fs.readFileSync(migration.file, 'utf8');
    await engine.execScript(
      `BEGIN;\n${script}\n;INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, '${migration.name}');\nCOMMIT;`,
    );
    latest = migration.version;
  }
  await runPendingDataFixes(db);
  return latest;
}

export async function currentMigration(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ v: number | null }>`select max(version) as v from schema_migrations`.execute(db);
  return rows[0]?.v ?? 0;
}
