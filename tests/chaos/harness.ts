import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../../server/db/create-db.js';
import { engineOf, type EngineKind } from '../../server/db/engine.js';
import { migrate } from '../../server/db/migrate.js';
import { ensureCalendar } from '../../server/services/calendar.js';
import { loadGeography } from '../../server/services/geography.js';
import { ensureDemoPlan } from '../../server/services/planning-demo.js';
import { seedDemo } from '../../server/services/seed.js';
import { inspect, type Verdict } from './inspect.js';
import { startReceiver } from './receiver.js';
import { ServerProcess, ServerStartError, sleep } from './server-process.js';
import { makeImages, runSubmitter, type ClientStats, type Control, type Submission } from './submitters.js';
// Seeded, so a failing run's kill timings can be replayed with --seed.
import { mulberry32 } from '../../server/services/seed/prng.js';

export interface ChaosOptions {
  engine: EngineKind;
  cycles: number;
  /** Concurrent submitting clients. */
  clients?: number;
  /** postgres only: a database the harness may wipe (its public schema is recreated). */
  databaseUrl?: string;
  seed?: number;
  /** The server is killed this long after it answers its health check. */
  upMs?: [number, number];
  /** Share of cycles killed during startup instead (migrations, boot, recovery). */
  startupKillRate?: number;
  keepFiles?: boolean;
  log?: (line: string) => void;
}

export interface ChaosResult extends Verdict {
  engine: EngineKind;
  cycles: number;
  killedDuringStartup: number;
  submissions: number;
  rejected: string[];
  unresolved: number;
  clients: ClientStats;
  /** What the servers' startup sweeps removed: stored files of uncommitted reports, and temporary uploads. */
  swept: { orphans: number; temporary: number };
  medianBootMs: number;
  wallMs: number;
  seed: number;
  workDir: string;
}

export const ALL_EVENTS = ['report.created', 'report.assigned', 'report.updated', 'report.resolved', 'report.rejected', 'report.merged', 'report.reopened', 'report.closed', 'report.withdrawn'];

/**
 * Crash-safety run: the real server is started, loaded with concurrent
 * report submissions (photos, Idempotency-Keys, clients that retry through
 * connection errors), killed with SIGKILL at a random moment and restarted,
 * `cycles` times. Then it is started once more, the clients finish, the
 * outbox drains, and the end state is compared with every 201 the clients got.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const [minUp, maxUp] = options.upMs ?? [300, 3_000];
  const startupKillRate = options.startupKillRate ?? 0.1;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `civic-chaos-${options.engine}-`));
  const dataDir = path.join(workDir, 'data');
  const mediaDir = path.join(workDir, 'media');
  const dashboardDir = path.join(workDir, 'dashboard');
  // An empty dashboard keeps main.ts from building the real one on start.
  fs.mkdirSync(dashboardDir, { recursive: true });
  fs.writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html><title>chaos</title>');
  if (options.engine === 'postgres' && !options.databaseUrl) throw new Error('the postgres engine needs a databaseUrl');
  log(`chaos: ${options.engine}, ${options.cycles} cycles, seed ${seed}, work dir ${workDir}`);

  const receiver = await startReceiver();
  const port = await freePort();
  const server = chaosServer(options, { workDir, dataDir, mediaDir, dashboardDir }, port);

  const submissions: Submission[] = [];
  const stats: ClientStats = { requests: 0, connectionErrors: 0, inProgress409: 0, serverErrors: 0, serverErrorSamples: [] };
  const control: Control = { generating: true, giveUpAt: Infinity };
  let clients: Promise<void>[] = [];
  let failed = true;
  try {
    if (options.engine === 'postgres') await resetPostgres(options.databaseUrl!);
    await prepareDatabase(options, dataDir, receiver.url);
    const images = await makeImages();
    clients = Array.from({ length: options.clients ?? 4 }, () => runSubmitter(server.baseUrl, images, submissions, stats, control, random));

    const bootMs: number[] = [];
    let killedDuringStartup = 0;
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const spawnedAt = Date.now();
      const { ready } = server.spawn();
      if (random() < startupKillRate) {
        // Somewhere in a typical boot: migrations, recovery, the first requests.
        const typical = bootMs.length ? median(bootMs) : 3_000;
        const outcome = await Promise.race([ready.then(() => 'ready'), sleep(random() * typical).then(() => 'timer')]);
        if (outcome === 'timer') killedDuringStartup++;
        await server.kill();
        await ready.catch((error) => {
          if (!(error instanceof ServerStartError) || !/killed during startup/.test(error.message)) throw error;
        });
      } else {
        await withTimeout(ready, 180_000, 'the server did not become ready within 180 s');
        bootMs.push(Date.now() - spawnedAt);
        await sleep(minUp + random() * (maxUp - minUp));
        await server.kill();
      }
      const acked = submissions.filter((s) => s.acked !== undefined).length;
      log(`cycle ${cycle}/${options.cycles}: ${acked} acknowledged, ${submissions.length} submitted, boot ${bootMs.at(-1) ?? '-'} ms`);
    }

    // The last start: every client finishes what it has in hand, then stops.
    await withTimeout(server.spawn().ready, 180_000, 'the server did not become ready for the final run');
    control.generating = false;
    // Past the server's takeover of keys held by a dead request, with room to spare.
    control.giveUpAt = Date.now() + 420_000;
    await Promise.all(clients);
    log(`clients settled: ${submissions.filter((s) => s.acked).length} acknowledged`);

    const verdict = await drainAndInspect(options, server, receiver, dataDir, mediaDir, submissions, log);
    failed = false;
    const result: ChaosResult = {
      engine: options.engine,
      cycles: options.cycles,
      killedDuringStartup,
      submissions: submissions.length,
      rejected: submissions.filter((s) => s.rejected).map((s) => `${s.key}: ${s.rejected!.status} ${s.rejected!.body}`),
      unresolved: submissions.filter((s) => s.unresolved).length,
      clients: stats,
      swept: sweptFiles(server.logFile),
      medianBootMs: bootMs.length ? median(bootMs) : 0,
      wallMs: Date.now() - started,
      seed,
      workDir,
      ...verdict,
    };
    failed = !chaosPassed(result);
    return result;
  } catch (error) {
    log(`chaos run failed; server log tail:\n${server.logTail()}`);
    throw error;
  } finally {
    control.generating = false;
    control.giveUpAt = 0;
    await server.kill().catch(() => {});
    await Promise.allSettled(clients);
    await receiver.close();
    if (!options.keepFiles && !failed) fs.rmSync(workDir, { recursive: true, force: true });
    else log(`files kept in ${workDir}`);
  }
}

export function chaosPassed(r: ChaosResult): boolean {
  return r.lost.length === 0 && r.duplicated.length === 0 && r.replayMismatches.length === 0 && r.brokenMedia.length === 0
    && r.orphans.length === 0 && r.outbox.missing.length === 0 && r.withoutCreatedEvent.length === 0 && r.rejected.length === 0
    && r.unresolved === 0;
}

/**
 * Waits for the outbox to be sent, stops the server cleanly and inspects
 * the database and media directory. Events still missing then get up to two
 * more starts to arrive: a delivery leased by a killed process waits out
 * its lease before it is sent again.
 */
export async function drainAndInspect(
  options: Pick<ChaosOptions, 'engine' | 'databaseUrl'>, server: ServerProcess, receiver: Awaited<ReturnType<typeof startReceiver>>,
  dataDir: string, mediaDir: string, submissions: Submission[], log: (line: string) => void,
): Promise<Verdict> {
  await waitForQuiet(receiver, 5_000, 60_000);
  for (let round = 0; ; round++) {
    await server.stop();
    log('server stopped cleanly; inspecting');
    const db = await createDb(options.engine === 'postgres' ? { databaseUrl: options.databaseUrl, poolSize: 2 } : { dataDir });
    let verdict: Verdict;
    try {
      verdict = await inspect(db, mediaDir, submissions, receiver.received);
    } finally {
      await engineOf(db).close();
    }
    if (!verdict.outbox.missing.length || round === 2) return verdict;
    log(`outbox: ${verdict.outbox.missing.length} events not received yet; restarting to let them drain`);
    await withTimeout(server.spawn().ready, 180_000, 'the server did not become ready to drain the outbox');
    const arrived = await receiver.waitFor(verdict.outbox.missing.map((m) => m.split(' ')[1]!), 90_000);
    log(arrived ? 'outbox: the missing events arrived' : 'outbox: events still missing after 90 s');
  }
}

/** The real server as the chaos runs start it: on loopback, quiet, without rate limits; `extra` adds settings. */
export function chaosServer(
  options: Pick<ChaosOptions, 'engine' | 'databaseUrl'>, dirs: { workDir: string; dataDir: string; mediaDir: string; dashboardDir: string },
  port: number, extra: NodeJS.ProcessEnv = {},
): ServerProcess {
  return new ServerProcess({
    ...withoutDatabaseSettings(process.env),
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(options.engine === 'postgres' ? { DATABASE_URL: options.databaseUrl } : { DATA_DIR: dirs.dataDir }),
    MEDIA_DIR: dirs.mediaDir,
    DASHBOARD_DIR: dirs.dashboardDir,
    LOG_LEVEL: 'warn',
    SEED_REPORTS: '0',
    RATE_LIMITS: 'off',
    // The receiver listens on loopback, a private address webhooks are otherwise refused.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...extra,
  }, port, path.join(dirs.workDir, 'server.log'));
}

/** Sums the startup sweeps' log lines (pino JSON at warn level). */
export function sweptFiles(logFile: string) {
  const swept = { orphans: 0, temporary: 0 };
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('left by an earlier crash')) continue;
    try {
      const entry = JSON.parse(line) as { orphans?: number; temporary?: number };
      swept.orphans += entry.orphans ?? 0;
      swept.temporary += entry.temporary ?? 0;
    } catch {
      // A line cut by SIGKILL.
    }
  }
  return swept;
}

export async function waitForQuiet(receiver: Awaited<ReturnType<typeof startReceiver>>, quietMs: number, maxMs: number) {
  const until = Date.now() + maxMs;
  let last = -1;
  let lastChange = Date.now();
  while (Date.now() < until) {
    const n = [...receiver.received.values()].reduce((a, b) => a + b, 0);
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= quietMs) {
      return;
    }
    await sleep(250);
  }
}

/** Migrations, geography, reference data and the webhook, before the first start (as an operator would). */
export async function prepareDatabase(options: Pick<ChaosOptions, 'engine' | 'databaseUrl'>, dataDir: string, webhookUrl: string) {
  const db = await createDb(options.engine === 'postgres' ? { databaseUrl: options.databaseUrl, poolSize: 2 } : { dataDir });
  try {
    await migrate(db);
    await loadGeography(db);
    await ensureCalendar(db);
    await seedDemo(db, { reports: 0, seed: 1 });
    if (options.engine === 'embedded') await ensureDemoPlan(db);
    await db.insertInto('webhooks').values({
      unit_id: null, url: webhookUrl, secret: 'chaos-webhook-secret-0123456789', events: ALL_EVENTS, active: true,
    }).execute();
  } finally {
    await engineOf(db).close();
  }
}

/** Creates the database if needed and empties it: the run starts from nothing. */
export async function resetPostgres(url: string) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const maintenance = new pg.Client({ connectionString: admin.toString() });
  await maintenance.connect();
  try {
    const exists = await maintenance.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await maintenance.query(`create database ${name}`);
  } finally {
    await maintenance.end();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('drop schema if exists public cascade; create schema public; create extension if not exists postgis');
  } finally {
    await client.end();
  }
}

export function withoutDatabaseSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'MEDIA_DIR', 'SMTP_URL', 'PORT', 'HOST', 'NODE_OPTIONS']) delete copy[k];
  // vitest marks its workers; the server must not think it is under test.
  for (const k of Object.keys(copy)) if (k.startsWith('VITEST') || k === 'TEST' || k === 'NODE_ENV') delete copy[k];
  return copy;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
