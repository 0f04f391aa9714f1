import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { loadGeography } from '../services/geography.js';

const config = loadConfig();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const version = await migrate(db);
  const loaded = await loadGeography(db);
  console.log(`Schema at migration ${version}; geography ${loaded ? 'loaded' : 'already present'}.`);
} finally {
  await engineOf(db).close();
}
