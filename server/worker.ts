import type { Config } from './config.js';
import { createApp } from './app.js';
import { createDb } from './db/create-db.js';
import { engineOf } from './db/engine.js';
import { currentMigration } from './db/migrate.js';
import { listenHttp } from './http-server.js';
import type { Logger } from './log.js';
import { sendQueuedEmails, smtpMailer } from './services/email.js';
import { runPeriodicJobs } from './services/jobs.js';
import { placeIndex } from './services/places.js';
import { startOutboxWorker } from './services/webhooks.js';
import { LocalDiskStorage } from './services/media/storage.js';
import { DEMO_LOGINS } from './services/seed.js';
import { statsStore } from './services/stats-store.js';

/** Set by the supervisor on the one worker that also runs the background work. */
export const JOBS_ENV = 'CIVIC_WORKER_JOBS';

/**
 * One server process under the supervisor (server/supervisor.ts): it serves
 * HTTP on the port the cluster shares. The supervisor has already migrated,
 * seeded and swept the media directory. One worker (JOBS_ENV) also runs the
 * outbox, the e-mail sender and the periodic jobs; they are safe in parallel
 * (SKIP LOCKED, row locks), but N copies would only poll the database N times.
 */
export async function runWorker(config: Config, logger: Logger) {
  const runsJobs = process.env[JOBS_ENV] === '1';
  // Per process: every worker queues e-mail notifications when SMTP is set; the jobs worker sends them.
  // Embedded: takes the data directory's lock, left by a dead predecessor or released by the supervisor.
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize, statementTimeoutMs: config.statementTimeoutMs });
  const engine = engineOf(db);
  const storage = new LocalDiskStorage(config.mediaDir);
  const app = createApp({ db, config, logger, storage });
  const { server, port } = await listenHttp(app.fetch, { port: config.port, hostname: config.host });
  logger.info({ port, engine: engine.kind, migration: await currentMigration(db), jobs: runsJobs }, 'listening');
  if (runsJobs) {
    console.log(`\ncivic-ops is running at http://localhost:${port}  (engine: ${engine.kind})`);
    if (engine.kind === 'embedded') {
      console.log('Demo logins:');
      for (const l of DEMO_LOGINS) console.log(`  ${l.role.padEnd(10)} ${l.username} / ${l.password}`);
    }
  }

  // The console's figures come from an in-memory store: load it now, not on the first viewer's request.
  const loading = performance.now();
  statsStore(db).then(
    (store) => logger.info({ reports: store.size, ms: Math.round(performance.now() - loading) }, 'statistics store loaded'),
    (error) => logger.error({ err: error }, 'statistics store did not load; the next statistics request tries again'),
  );
  // Place search is in memory too: build its index now, not on the first citizen's keystroke.
  const indexing = performance.now();
  placeIndex(db).then(
    (index) => logger.info({ places: index.size, ms: Math.round(performance.now() - indexing) }, 'place index built'),
    (error) => logger.error({ err: error }, 'place index not built; the next place search tries again'),
  );

  const stopBackground = runsJobs ? startBackgroundWork(db, config, logger) : async () => {};

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then flush the database.
    // Requests still running after 10 s are cut off, but the database is
    // still closed properly: exiting before that would leave the embedded
    // engine unflushed and its data-directory lock behind. A close that
    // hangs is the supervisor's to kill (STOP_GRACE_MS).
    const forced = setTimeout(() => server.closeAllConnections(), 10_000);
    forced.unref();
    server.close(async () => {
      clearTimeout(forced);
      await stopBackground();
      await engine.close();
      process.exit(0);
    });
    // Idle keep-alive sockets would hold close() open until they time out.
    server.closeIdleConnections();
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function startBackgroundWork(db: Awaited<ReturnType<typeof createDb>>, config: Config, logger: Logger) {
  const stopOutbox = startOutboxWorker(db, logger, { allowPrivate: config.webhookAllowPrivate });
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : undefined;
  let mailing = false;
  const mailTimer = setInterval(() => {
    if (!mailer || mailing) return;
    mailing = true;
    sendQueuedEmails(db, mailer, config.publicBaseUrl, logger)
      .catch((err) => logger.error({ err }, 'e-mail worker failed'))
      .finally(() => (mailing = false));
  }, 5_000);
  mailTimer.unref();
  let jobsRunning = false;
  const closer = setInterval(() => {
    if (jobsRunning) return;
    jobsRunning = true;
    runPeriodicJobs(db, config, logger).finally(() => (jobsRunning = false));
  }, 10 * 60_000);
  closer.unref();
  return async () => {
    clearInterval(closer);
    clearInterval(mailTimer);
    await stopOutbox();
  };
}
