import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../../server/app.js';
import { createDb } from '../../server/db/create-db.js';
import type { Database } from '../../server/db/database.js';
import type { EngineKind } from '../../server/db/engine.js';
import { migrate } from '../../server/db/migrate.js';
import type { Logger } from '../../server/log.js';
import { ensureCalendar } from '../../server/services/calendar.js';
import { loadGeography } from '../../server/services/geography.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';
import { ENGINES, openEmbeddedCopy, testConfig } from '../integration/context.js';

export { ENGINES };

/**
 * Runs per endpoint: 100 in CI (the whole suite has to fit its time limit beside the browser tests),
 * `npm run fuzz` sets 10,000. FUZZ_RUNS_POSTGRES may lower it on the slower engine.
 */
export function runsFor(engine: EngineKind): number {
  const base = Number(process.env.FUZZ_RUNS ?? 100);
  const pg = process.env.FUZZ_RUNS_POSTGRES;
  return engine === 'postgres' && pg ? Number(pg) : base;
}

/** A fixed seed reproduces a failing run: FUZZ_SEED=<seed from the report>. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const TMP = path.resolve('.tmp');
const fuzzInstances = new Map<EngineKind, Promise<Kysely<Database>>>();

/**
 * Vitest ends its workers without an 'exit' event often enough that the
 * per-process copies (80 MB each) pile up; whatever belongs to a process
 * that is gone is removed before a new one is made.
 */
function sweepStale() {
  for (const name of fs.existsSync(TMP) ? fs.readdirSync(TMP) : []) {
    const pid = /^fuzz-(?:embedded|data)-(\d+)/.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch (error) {
      // EPERM means alive but someone else's.
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(TMP, name), { recursive: true, force: true });
    }
  }
}

/**
 * The fuzzers' own database. Successful fuzzed admin requests create routing
 * rules, holidays and disabled fields that would change what other suites
 * see, so on PostgreSQL they never share TEST_DATABASE_URL: a sibling
 * database `<name>_fuzz` is made afresh for each run. The embedded engine is
 * already a private copy per test process.
 */
export function fuzzDb(engine: EngineKind): Promise<Kysely<Database>> {
  let db = fuzzInstances.get(engine);
  if (!db) {
    sweepStale();
    db = (engine === 'embedded' ? openEmbeddedCopy('fuzz-embedded') : openFuzzPostgres()).then(async (d) => {
      await watchWrites(d);
      return d;
    });
    fuzzInstances.set(engine, db);
  }
  return db;
}

async function openFuzzPostgres(): Promise<Kysely<Database>> {
  const base = new URL(process.env.FUZZ_DATABASE_URL ?? process.env.TEST_DATABASE_URL!);
  const name = base.pathname.slice(1);
  const target = new URL(base);
  // A database already named *_fuzz is the fuzzers' own (FUZZ_DATABASE_URL or a local TEST_DATABASE_URL).
  if (!name.endsWith('_fuzz')) target.pathname = `/${name}_fuzz`;
  const targetName = target.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(targetName)) throw new Error(`fuzz database name ${targetName} must be [a-z0-9_]`);
  const admin = new pg.Client({ connectionString: (() => { const u = new URL(base); u.pathname = '/postgres'; return u.toString(); })() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${targetName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${targetName}`);
  } finally {
    await admin.end();
  }
  const db = await createDb({ databaseUrl: target.toString(), poolSize: 8 });
  await sql`CREATE EXTENSION IF NOT EXISTS postgis`.execute(db);
  await migrate(db);
  await loadGeography(db);
  await ensureCalendar(db);
  return db;
}

/** Error-level log lines: an unhandled error can hide behind a 2xx (a streamed export that dies half way). */
export class CapturedErrors {
  readonly lines: string[] = [];
  readonly logger: Logger;
  constructor() {
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.lines.push(chunk.toString('utf8'));
        done();
      },
    });
    this.logger = pino({ level: 'error' }, sink) as unknown as Logger;
  }
  take(): string[] {
    return this.lines.splice(0);
  }
}

export const WALL_TOKEN = 'fuzz-wall-display-token-0123456789';

/**
 * The real app over the fuzz database, with its own media directory (so
 * files on disk can be counted), a stub dashboard (so tampered paths that
 * fall through to the SPA get its page rather than "not built"), rate limits
 * off (the fuzzer is one client sending thousands of requests) and a wall token.
 */
export function fuzzApp(db: Kysely<Database>, engine: EngineKind, name = 'endpoints') {
  const dataDir = path.join(TMP, `fuzz-data-${process.pid}-${engine}-${name}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const dashboardDir = path.join(dataDir, 'dashboard');
  fs.mkdirSync(dashboardDir, { recursive: true });
  fs.writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html><title>civic-ops</title>');
  process.once('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const config = testConfig({ DATA_DIR: dataDir, DASHBOARD_DIR: dashboardDir, WALL_TOKEN, RATE_LIMITS: 'off', WEBHOOK_ALLOW_PRIVATE: 'true' });
  const storage = new LocalDiskStorage(config.mediaDir);
  const errors = new CapturedErrors();
  const app = createApp({ db, config, logger: errors.logger, storage });
  return { app, config, storage, errors };
}

/** Tables whose rows count: appended, never rewritten. */
const COUNTED = [
  'report_events', 'media', 'ratings', 'report_followers', 'idempotency_keys', 'outbox', 'notifications',
  'webhook_deliveries', 'report_attributes', 'external_updates', 'plans', 'planning_zones',
] as const;
/** Small configuration tables, compared whole, so an update is seen as well as an insert. */
const HASHED = [
  'fields', 'units', 'unit_areas', 'unit_fields', 'staff_users', 'routing_rules', 'calendar_days', 'webhooks', 'api_keys',
  'field_attributes', 'response_templates',
] as const;

/**
 * Test instrumentation in the fuzzers' own database: every row written to
 * a watched table bumps a sequence. Reading it costs a fraction of a full
 * fingerprint, so the fingerprint is taken only when something was written.
 * The sequence is not transactional, so a rolled-back write bumps it too;
 * that only costs a fingerprint that then finds nothing.
 */
async function watchWrites(db: Kysely<Database>) {
  await sql`CREATE SEQUENCE IF NOT EXISTS fuzz_writes`.execute(db);
  await sql`CREATE OR REPLACE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('fuzz_writes'); RETURN NULL; END $$`.execute(db);
  for (const t of ['reports', 'audit_log', ...COUNTED, ...HASHED]) {
    await sql`DROP TRIGGER IF EXISTS fuzz_watch ON ${sql.table(t)}`.execute(db);
    await sql`CREATE TRIGGER fuzz_watch AFTER INSERT OR UPDATE OR DELETE ON ${sql.table(t)} FOR EACH ROW EXECUTE FUNCTION fuzz_count_write()`.execute(db);
  }
  // Any authenticated request may touch last_seen_at; only a new, ended or moved session counts.
  await sql`DROP TRIGGER IF EXISTS fuzz_watch ON staff_sessions`.execute(db);
  await sql`CREATE TRIGGER fuzz_watch AFTER INSERT OR DELETE OR UPDATE OF revoked_at, user_id ON staff_sessions FOR EACH ROW EXECUTE FUNCTION fuzz_count_write()`.execute(db);
}

/** How many watched rows have been written so far. */
export async function writeCount(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ n: string }>`select last_value::text as n from fuzz_writes`.execute(db);
  return rows[0]!.n;
}

/**
 * One round trip that changes whenever a request leaves a write behind.
 * Left out on purpose: login_throttle (a failed login must be recorded;
 * that is its job), staff_sessions.last_seen_at (touched by any
 * authenticated request, refused or not) and audit rows of refused or
 * failed attempts (security events: recording a refusal is their job).
 */
export async function fingerprint(db: Kysely<Database>): Promise<Record<string, string>> {
  const parts = [
    sql`(select count(*) || ':' || coalesce(sum(version), 0) || ':' || coalesce(sum(follower_count), 0) || ':' || coalesce(max(updated_at)::text, '') from reports) as reports`,
    sql`(select count(*) || ':' || count(revoked_at) from staff_sessions) as staff_sessions`,
    sql`(select count(*)::text from audit_log where outcome = 'success') as audit_log`,
    ...COUNTED.map((t) => sql`(select count(*)::text from ${sql.table(t)}) as ${sql.ref(t)}`),
    ...HASHED.map((t) => sql`(select coalesce(md5(string_agg(x::text, '|' order by x::text)), '') from ${sql.table(t)} x) as ${sql.ref(t)}`),
  ];
  const { rows } = await sql<Record<string, string>>`select ${sql.join(parts)}`.execute(db);
  return rows[0]!;
}

/** Every file under the media directory, temporary uploads included. */
export function mediaFiles(dir: string): string[] {
  try {
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile()).sort();
  } catch {
    return [];
  }
}
