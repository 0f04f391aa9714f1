import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { supervise } from './supervisor.js';
import { runWorker } from './worker.js';

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

// `npm start` runs the supervisor (server/supervisor.ts), which forks the workers (server/worker.ts) from this same file.
if (cluster.isPrimary) {
  await supervise(config, createLogger(config.logLevel).child({ role: 'supervisor' }));
} else {
  await runWorker(config, createLogger(config.logLevel).child({ role: 'worker', worker: cluster.worker?.id }));
}
