import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import type { PlanLevel } from '../db/database.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { DomainError } from '../errors.js';
import { importPlanning, MAPPABLE_FIELDS, parseCrs, type MappableField } from '../services/planning-import.js';

const HELP = `Imports a GeoJSON FeatureCollection of planning zones (polygons) as one new plan.

  npm run import:planning -- <file.geojson> --plan "<name>" [--level general|zoning|detailed]
        [--decision "<number>"] [--decision-date YYYY-MM-DD] [--authority "<body>"] [--scale 1:2000]
        [--crs EPSG:xxxx] [--map code=PROPERTY,notes=PROPERTY,...] [--codes SRC=ODT,R*=ODT,...] [--skip-rejected]

  --crs       The coordinates' CRS: EPSG:4326 (WGS84, default, or the file's "crs" member),
              VN-2000 EPSG:4756 (degrees), 3405/3406 (UTM 48N/49N), 9205–9218 (TM-3 zones;
              Đắk Lắk and former Phú Yên use 108°30′ = EPSG:9218). PostGIS reprojects to WGS84.
  --map       Our field=source property. Fields: ${MAPPABLE_FIELDS.join(', ')}.
              Unmapped fields are looked up under common names (code, MaLoaiDat, KyHieu, GhiChu, …).
  --codes     Source code=our land-use code; a trailing * matches a prefix, "*" alone is the fallback.
              Without it, source codes must already be Vietnamese land-use codes (ODT, TMD, …).
  --skip-rejected  Import the valid features and skip the rest (default: any rejected feature
              refuses the whole file). Invalid geometries are repaired with ST_MakeValid where
              possible; what cannot be repaired is reported per feature.

The import is one transaction: it lands completely or not at all.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    plan: { type: 'string' },
    level: { type: 'string', default: 'detailed' },
    decision: { type: 'string' },
    'decision-date': { type: 'string' },
    authority: { type: 'string' },
    scale: { type: 'string' },
    crs: { type: 'string' },
    map: { type: 'string' },
    codes: { type: 'string' },
    'skip-rejected': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

function pairs(text: string | undefined, what: string): Record<string, string> {
  if (!text) return {};
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, v, extra] = part.split('=').map((s) => s.trim());
    if (!k || !v || extra !== undefined) fail(`${what} must look like a=b,c=d (got "${part}").`);
    out[k] = v;
  }
  return out;
}

if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const file = positionals[0];
if (!file || positionals.length > 1) fail('Give exactly one .geojson file.');
if (!values.plan?.trim()) fail('--plan "<name>" is required.');
if (!['general', 'zoning', 'detailed'].includes(values.level!)) fail('--level must be general, zoning or detailed.');
if (values['decision-date'] && !/^\d{4}-\d{2}-\d{2}$/.test(values['decision-date'])) fail('--decision-date must be YYYY-MM-DD.');
const map = pairs(values.map, '--map');
for (const field of Object.keys(map)) {
  if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) fail(`--map: unknown field ${field}; use one of ${MAPPABLE_FIELDS.join(', ')}.`);
}
let srid: number | undefined;
try {
  srid = values.crs ? parseCrs(values.crs) : undefined;
} catch (error) {
  fail((error as Error & { fields?: Record<string, string> }).fields?.crs ?? (error as Error).message);
}

let input: unknown;
try {
  input = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (error) {
  fail(`Cannot read ${file}: ${(error as Error).message}`);
}

const config = loadConfig();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const started = Date.now();
try {
  await migrate(db);
  const report = await importPlanning(db, input, {
    plan: {
      name: values.plan!, level: values.level as PlanLevel, decision_number: values.decision, decision_date: values['decision-date'],
      authority: values.authority, scale: values.scale, source: `import:${file.split('/').pop()}`,
    },
    srid,
    map: map as Partial<Record<MappableField, string>>,
    codes: pairs(values.codes, '--codes'),
    skipRejected: values['skip-rejected'],
    onProgress: (done, total) => process.stderr.write(`\r  ${done}/${total} features`),
  });
  process.stderr.write('\n');
  for (const r of report.rejected.slice(0, 30)) console.log(`  rejected #${r.index}${r.id !== null ? ` (id ${r.id})` : ''}: ${r.reason}`);
  if (report.rejected.length > 30) console.log(`  … and ${report.rejected.length - 30} more`);
  console.log(`\nPlan ${report.plan_id} "${values.plan}": ${report.imported} of ${report.total} features imported, ${report.repaired} repaired, ${report.rejected.length} rejected, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  process.stderr.write('\n');
  if (error instanceof DomainError) {
    console.error(`Import refused (${error.code}): ${error.message}`);
    for (const [k, v] of Object.entries(error.fields ?? {}).slice(0, 30)) console.error(`  ${k}: ${v}`);
    console.error('Nothing was imported.');
  } else {
    console.error(`Import failed: ${(error as Error).message}\nNothing was imported.`);
  }
  process.exitCode = 1;
} finally {
  await engineOf(db).close();
}
