// The real server, started after the demo planning layer has been seeded into
// its database (server/main.ts does not seed it yet).
import { loadConfig } from '../../server/config.js';
import { createDb } from '../../server/db/create-db.js';
import { engineOf } from '../../server/db/engine.js';
import { migrate } from '../../server/db/migrate.js';
import { loadGeography } from '../../server/services/geography.js';
import { ensureDemoPlan } from '../../server/services/planning-demo.js';

const config = loadConfig();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrate(db);
await loadGeography(db);
await ensureDemoPlan(db);
await engineOf(db).close();
await import('../../server/main.js');
