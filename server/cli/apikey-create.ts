import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { createApiKey } from '../services/api-keys.js';

const name = process.argv.slice(2).join(' ').trim();
if (!name) {
  console.error('Usage: npm run apikey:create -- "<client name>"   (e.g. "Zalo mini app")');
  process.exit(2);
}
const config = loadConfig();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db);
  const key = await createApiKey(db, name);
  console.log(`API key #${key.id} for ${key.client_name}:\n\n  ${key.key}\n\nIt is shown only now; store it in the client's secrets.`);
} catch (error) {
  console.error(`Could not create the key: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await engineOf(db).close();
}
