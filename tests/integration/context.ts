import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createDb } from '../../server/db/create-db.js';
import type { Database } from '../../server/db/database.js';
import { engineOf, type EngineKind } from '../../server/db/engine.js';
import { migrate, SQL_DIR } from '../../server/db/migrate.js';
import { createLogger } from '../../server/log.js';
import { ensureCalendar } from '../../server/services/calendar.js';
import { GEOGRAPHY_DIR, loadGeography } from '../../server/services/geography.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';

/** Embedded always; real PostGIS too when TEST_DATABASE_URL is set. */
export const ENGINES: EngineKind[] = process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];

const TMP = path.resolve('.tmp');
const instances = new Map<EngineKind, Promise<Kysely<Database>>>();

/**
 * One migrated database with the geography per engine, shared by every test
 * file in this worker. Tests make their own rows and never rely on others'.
 */
export function testDb(engine: EngineKind): Promise<Kysely<Database>> {
  let db = instances.get(engine);
  if (!db) {
    db = engine === 'embedded' ? openEmbeddedCopy('test-embedded') : openPostgres();
    instances.set(engine, db);
  }
  return db;
}

async function openPostgres(): Promise<Kysely<Database>> {
  const db = await createDb({ databaseUrl: process.env.TEST_DATABASE_URL, poolSize: 8 });
  await migrate(db);
  await loadGeography(db);
  await ensureCalendar(db);
  return db;
}

/**
 * A private embedded database, `<prefix>-<pid>` under .tmp, removed when the
 * process exits. The first embedded boot plus geography takes ~20 s, so a
 * migrated template directory is kept per schema + geography version and
 * copied for each run (the fuzzers make their own copy from it too).
 */
export async function openEmbeddedCopy(prefix: string): Promise<Kysely<Database>> {
  const db = await createDb({ dataDir: await embeddedCopyDir(prefix) });
  await migrate(db);
  await ensureCalendar(db);
  return db;
}

/** The data directory of a fresh migrated embedded database with the geography, not opened (for a child process to open). */
export async function embeddedCopyDir(prefix: string): Promise<string> {
  const template = path.join(TMP, `pglite-template-${schemaHash()}`);
  if (!fs.existsSync(path.join(template, 'READY'))) {
    // Built aside and renamed into place, so a concurrent run never copies a half-built template.
    const building = `${template}.building-${process.pid}`;
    fs.rmSync(building, { recursive: true, force: true });
    const db = await createDb({ dataDir: building });
    await migrate(db);
    await loadGeography(db);
    await engineOf(db).close();
    fs.writeFileSync(path.join(building, 'READY'), new Date().toISOString());
    try {
      fs.renameSync(building, template);
    } catch {
      fs.rmSync(building, { recursive: true, force: true });
    }
  }
  const dir = path.join(TMP, `${prefix}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(template, dir, { recursive: true, filter: (src) => !src.endsWith('civic-ops.lock') && !src.endsWith('READY') });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function schemaHash(): string {
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(SQL_DIR).sort()) hash.update(f).update(fs.readFileSync(path.join(SQL_DIR, f)));
  for (const f of fs.readdirSync(GEOGRAPHY_DIR).sort()) hash.update(f).update(String(fs.statSync(path.join(GEOGRAPHY_DIR, f)).size));
  hash.update(fs.readFileSync(new URL('../../server/services/geography.ts', import.meta.url)));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Rate limits (and with them the duplicate check) are off unless a test turns
 * them on: in-process requests have no address, so every test would share one
 * bucket in a database that outlives the run. The second factor is required of
 * no role unless a test asks (tests/integration/staff-mfa.test.ts does), so
 * other tests can sign in as admins and dispatchers with a password.
 */
export function testConfig(overrides: NodeJS.ProcessEnv = {}) {
  return loadConfig({ DATA_DIR: path.join(TMP, `test-data-${process.pid}`), LOG_LEVEL: 'silent', RATE_LIMITS: 'off', MFA_REQUIRED_ROLES: 'none', ...overrides });
}

/** The real app over a test database, driven in-process with app.request(). */
export function testApp(db: Kysely<Database>, env: NodeJS.ProcessEnv = {}) {
  const config = testConfig(env);
  const storage = new LocalDiskStorage(config.mediaDir);
  return { app: createApp({ db, config, logger: createLogger('silent'), storage }), config, storage };
}
