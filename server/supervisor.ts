import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { createDb } from './db/create-db.js';
import { acquireDataDirLock } from './db/data-dir-lock.js';
import { engineOf } from './db/engine.js';
import { migrate } from './db/migrate.js';
import type { Logger } from './log.js';
import { ensureCalendar } from './services/calendar.js';
import { loadGeography } from './services/geography.js';
import { ensureDemoPlan } from './services/planning-demo.js';
import { LocalDiskStorage } from './services/media/storage.js';
import { sweepOrphanMedia } from './services/media/sweep.js';
import { hasReports, seedDemo } from './services/seed.js';
import { JOBS_ENV } from './worker.js';

/** A worker that dies before it listens, or sooner than this after, counts as failing to boot. */
const BOOT_GRACE_MS = 10_000;
/** Restart delays of a worker failing to boot: 0.5 s, 1 s, 2 s … at most 30 s. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** Workers get this long to finish their requests on SIGTERM before they are killed. */
const STOP_GRACE_MS = 20_000;

interface Slot {
  index: number;
  worker?: Worker;
  startedAt: number;
  listenedAt?: number;
  /** When its last worker died; cleared once the replacement listens. */
  diedAt?: number;
  quickDeaths: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * `npm start`: the supervisor. It does once what must happen once (the
 * dashboard build, migrations and seed, the crash sweep of the media
 * directory) and then runs `config.workers` server processes under
 * node:cluster, which share the port. A worker that dies is replaced at once;
 * one that keeps dying at boot (before it listens, or
 * within 10 s after) is restarted with a growing delay rather than
 * in a tight loop. The others keep serving meanwhile: the cluster hands new
 * connections only to live workers. SIGTERM stops the workers gracefully.
 *
 * The supervisor holds MEDIA_DIR's lock for the whole run, since all workers
 * write there. The embedded engine has one worker: the supervisor closes its
 * own database before forking, and the worker takes DATA_DIR's lock (from a
 * dead predecessor too: data-dir-lock.ts takes over a dead pid's lock).
 */
export async function supervise(config: Config, logger: Logger) {
  if (!fs.existsSync(path.join(config.dashboardDir, 'index.html'))) {
    logger.info('building the dashboard (first start)');
    const { build } = await import('vite');
    await build({ logLevel: 'warn' });
  }
  const releaseMediaLock = acquireDataDirLock(config.mediaDir, 'MEDIA_DIR');
  await prepare(config, logger);

  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({ index, startedAt: 0, quickDeaths: 0 }));
  let stopping = false;

  const fork = (slot: Slot) => {
    slot.restartTimer = undefined;
    slot.startedAt = Date.now();
    slot.listenedAt = undefined;
    // Slot 0 runs the background work; its replacement takes it over.
    const worker = cluster.fork({ [JOBS_ENV]: slot.index === 0 ? '1' : '0' });
    slot.worker = worker;
    worker.on('listening', () => {
      slot.listenedAt = Date.now();
      if (slot.diedAt !== undefined) {
        logger.warn({ slot: slot.index, pid: worker.process.pid, downMs: Date.now() - slot.diedAt }, 'worker replaced');
        slot.diedAt = undefined;
      }
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (stopping) return;
      const now = Date.now();
      slot.diedAt ??= now;
      const lived = now - slot.startedAt;
      const booted = slot.listenedAt !== undefined && now - slot.listenedAt >= BOOT_GRACE_MS;
      slot.quickDeaths = booted ? 0 : slot.quickDeaths + 1;
      const delay = slot.quickDeaths === 0 ? 0 : Math.min(FIRST_BACKOFF_MS * 2 ** (slot.quickDeaths - 1), MAX_BACKOFF_MS);
      logger.error({ slot: slot.index, pid: worker.process.pid, code, signal, livedMs: lived, restartInMs: delay }, 'worker died');
      slot.restartTimer = setTimeout(() => fork(slot), delay);
    });
  };
  for (const slot of slots) fork(slot);
  logger.info({ workers: config.workers, pid: process.pid }, 'supervisor started');

  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the workers');
    const running = slots.flatMap((s) => {
      clearTimeout(s.restartTimer);
      return s.worker ? [s.worker] : [];
    });
    await Promise.all(running.map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
      worker.once('exit', () => clearTimeout(kill));
      worker.process.kill('SIGTERM');
    })));
    releaseMediaLock();
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/**
 * Migrations, reference data, the embedded demo seed and the media sweep,
 * before any worker runs. The sweep removes unreferenced media files and
 * temporary uploads left by crashed processes; with no worker started yet,
 * nothing it sees can be a file a live request is still writing.
 */
async function prepare(config: Config, logger: Logger) {
  const startedAt = new Date();
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, statementTimeoutMs: 0 });
  const engine = engineOf(db);
  try {
    const migration = await migrate(db);
    if (await loadGeography(db)) logger.info('loaded the Đắk Lắk geography');
    await ensureCalendar(db);
    // Production databases get demo data only on request (npm run db:seed).
    if (engine.kind === 'embedded' && (await ensureDemoPlan(db))) logger.info('seeded the demo planning layer (marked demo)');
    if (engine.kind === 'embedded' && !(await hasReports(db)) && config.seedReports > 0) {
      logger.info({ reports: config.seedReports }, 'seeding demo data (first start)');
      await seedDemo(db, { reports: config.seedReports, seed: 1, onProgress: (done, total) => process.stdout.write(`\r  seeding ${done}/${total}`) });
      process.stdout.write('\n');
    }
    const storage = new LocalDiskStorage(config.mediaDir);
    const swept = await sweepOrphanMedia(db, storage, path.join(config.mediaDir, 'tmp'), startedAt);
    if (swept.orphans || swept.temporary) logger.warn(swept, 'removed media files left by an earlier crash');
    logger.info({ engine: engine.kind, migration }, 'database ready');
  } finally {
    // Embedded: releases DATA_DIR, which the worker takes next.
    await engine.close();
  }
}
