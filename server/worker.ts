import fs from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createDb } from './db/create-db.js';
import { acquireDataDirLock } from './db/data-dir-lock.js';
import { engineOf } from './db/engine.js';
import { migrate } from './db/migrate.js';
import { createLogger } from './log.js';
import { ensureCalendar } from './services/calendar.js';
import { loadGeography } from './services/geography.js';
import { sendQueuedEmails, smtpMailer } from './services/email.js';
import { runPeriodicJobs } from './services/jobs.js';
import { enableEmailNotifications } from './services/notifications.js';
import { ensureDemoPlan } from './services/planning-demo.js';
import { startOutboxWorker } from './services/webhooks.js';
import { LocalDiskStorage } from './services/media/storage.js';
import { sweepOrphanMedia } from './services/media/sweep.js';
import { DEMO_LOGINS, hasReports, seedDemo } from './services/seed.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const logger = createLogger(config.logLevel);

if (!fs.existsSync(path.join(config.dashboardDir, 'index.html'))) {
  logger.info('building the dashboard (first start)');
  const { build } = await import('vite');
  await build({ logLevel: 'warn' });
}

// Media files written before this moment belong to earlier processes; the lock makes sure those are dead.
const startedAt = new Date();
const releaseMediaLock = acquireDataDirLock(config.mediaDir, 'MEDIA_DIR');
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize });
const engine = engineOf(db);
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
const app = createApp({ db, config, logger, storage });
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  const url = `http://localhost:${info.port}`;
  logger.info({ port: info.port, engine: engine.kind, migration }, 'listening');
  console.log(`\ncivic-ops is running at ${url}  (engine: ${engine.kind})`);
  if (engine.kind === 'embedded') {
    console.log('Demo logins:');
    for (const l of DEMO_LOGINS) console.log(`  ${l.role.padEnd(10)} ${l.username} / ${l.password}`);
  }
});

const stopOutbox = startOutboxWorker(db, logger);
// A crash between storing a report's files and committing the report leaves them unreferenced, as it does uploads cut off mid-way.
sweepOrphanMedia(db, storage, path.join(config.mediaDir, 'tmp'), startedAt)
  .then((swept) => (swept.orphans || swept.temporary) && logger.warn(swept, 'removed media files left by an earlier crash'))
  .catch((err) => logger.error({ err }, 'media sweep failed'));
enableEmailNotifications(!!config.smtpUrl);
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

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // Stop accepting, let in-flight requests finish, then flush the database.
  const forced = setTimeout(() => process.exit(1), 10_000);
  forced.unref();
  clearInterval(closer);
  clearInterval(mailTimer);
  server.close(async () => {
    await stopOutbox();
    await engine.close();
    releaseMediaLock();
    process.exit(0);
  });
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
