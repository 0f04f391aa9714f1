import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { createApiKey, type ApiKeyScope } from '../services/api-keys.js';

const USAGE = `Issues an Open311 API key for a named client. The key is printed once.

Usage:
  npm run apikey:create -- --own "<client name>"
  npm run apikey:create -- --unit <unit id> "<client name>"

Scope (exactly one):
  --own         the key may update only the requests filed with it (a reporting app, e.g. "Zalo mini app")
  --unit <id>   the key may update the reports of that unit (its document-management system)

  -h, --help    show this help`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    args: process.argv.slice(2),
    options: { own: { type: 'boolean' }, unit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
} catch (error) {
  fail((error as Error).message);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const name = args.positionals.join(' ').trim();
if (!name) fail('Give the client name.');
// Say which scope on purpose: a default would hand out a key nobody thought about.
if (!!args.values.own === (args.values.unit !== undefined)) fail('Give exactly one scope: --own or --unit <id>.');
let scope: ApiKeyScope = { own: true };
if (args.values.unit !== undefined) {
  if (!/^[1-9]\d{0,9}$/.test(args.values.unit)) fail(`--unit must be a unit id (a number), not "${args.values.unit}".`);
  scope = { unitId: Number(args.values.unit) };
}

const config = loadConfig();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db);
  const key = await createApiKey(db, name, scope);
  const what = key.scope === 'unit' ? `the reports of unit #${key.unit_id}` : 'its own requests';
  console.log(`API key #${key.id} for ${key.client_name} (may update ${what}):\n\n  ${key.key}\n\nIt is shown only now; store it in the client's secrets.`);
} catch (error) {
  const fields = (error as { fields?: Record<string, string> }).fields;
  console.error(`Could not create the key: ${fields ? Object.values(fields).join('; ') : (error as Error).message}`);
  process.exitCode = 1;
} finally {
  await engineOf(db).close();
}
