import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { importOpen311 } from '../services/open311-import.js';

const HELP = `Imports an Open311 GeoReport v2 requests dump (GET requests.json output, a JSON array).

  npm run import:open311 -- <requests.json> [--region-check on|off] [--service-map map.json] [--source NAME]

  --service-map  JSON object: service_code or service_name → our field code; "*" is the fallback.
                 Without one, a record's service_code must be one of our field codes.
  --source       Names the system the ids come from (default "open311"). The original
                 service_request_id is kept as external_id; a (source, id) already in the
                 database is skipped, so running the same file twice imports nothing new.
  --region-check on (default): records whose point is outside Đắk Lắk are skipped.
                 off: they are imported with their ORIGINAL coordinates (never moved),
                 filed under the ward nearest to the point (planar distance) because every
                 report needs a ward, and flagged 'outside_region' so they can be found,
                 filtered or deleted. Meant for demos with foreign data and for points a
                 little over the border; the ward of a far-away point means nothing.

Skipped and reported: no service_request_id, an unknown status, a bad datetime, an
expected_datetime (deadline) not after requested_datetime, an unmapped service, no
usable lat/long, a duplicate id in the file. Records whose
updated_datetime is before requested_datetime are kept, flagged
'updated_before_requested', with the update time raised to the request time.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'region-check': { type: 'string', default: 'on' },
    'service-map': { type: 'string' },
    source: { type: 'string', default: 'open311' },
    help: { type: 'boolean', short: 'h' },
  },
});

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const file = positionals[0];
if (!file || positionals.length > 1) fail('Give exactly one requests.json file.');
if (values['region-check'] !== 'on' && values['region-check'] !== 'off') fail('--region-check must be on or off.');

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`Cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

const parsed = readJson(file, 'the requests file');
const records = Array.isArray(parsed) ? parsed : (parsed as { service_requests?: unknown })?.service_requests;
if (!Array.isArray(records)) fail(`${file} is not a JSON array of requests.`);
let serviceMap: Record<string, string> = {};
if (values['service-map']) {
  const map = readJson(values['service-map'], 'the service map');
  if (typeof map !== 'object' || map === null || Array.isArray(map) || !Object.values(map).every((v) => typeof v === 'string')) {
    fail('The service map must be a JSON object of strings: { "service_code": "field_code" }.');
  }
  serviceMap = map as Record<string, string>;
}

const config = loadConfig();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db);
  const summary = await importOpen311(db, records, {
    source: values.source!,
    regionCheck: values['region-check'] === 'on',
    serviceMap,
    onProgress: (done, total) => process.stderr.write(`\r  ${done}/${total} records`),
  });
  process.stderr.write('\n');
  for (const p of summary.problems.slice(0, 30)) console.log(`  skipped #${p.index}${p.id ? ` (${p.id})` : ''}: ${p.reason} — ${p.detail}`);
  if (summary.problems.length > 30) console.log(`  … and ${summary.problems.length - 30} more`);
  console.log(`\n${summary.total} records in ${(summary.ms / 1000).toFixed(1)} s: ${summary.imported} imported, ${summary.total - summary.imported} skipped.`);
  for (const [reason, n] of Object.entries(summary.skipped)) console.log(`  skipped  ${reason.padEnd(26)} ${n}`);
  for (const [flag, n] of Object.entries(summary.flagged)) console.log(`  flagged  ${flag.padEnd(26)} ${n}`);
} catch (error) {
  console.error(`Import failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await engineOf(db).close();
}
