import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { inPgRange } from '../services/datetime.js';
import { loadGeography } from '../services/geography.js';
import { ensureDemoPlan } from '../services/planning-demo.js';
import { DEMO_LOGINS, seedDemo } from '../services/seed.js';

// npm run db:seed -- --reports 100000 [--seed 7] [--now 2026-06-15T10:00:00+07:00]
const USAGE = 'Usage: npm run db:seed -- --reports N [--seed S] [--now YYYY-MM-DDTHH:MM:SS(Z|±HH:MM)]';

function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  // Accept 1_000_000 / 1,000,000 as typed by people, but nothing else.
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer between ${min} and ${max}, got "${value}"\n${USAGE}`);
  }
  return n;
}

const DAY_MS = 86_400_000;
// Seconds required, an explicit offset, and no more than milliseconds (a Date holds no more).
const INSTANT = z.iso.datetime({ offset: true }).refine((s) => !/\.\d{4,}/.test(s));

/**
 * The end of the generated year. Without it the seed reads the clock, so the
 * same --seed gives other rows on another day; with it the rows are the same.
 */
function instantOption(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (!INSTANT.safeParse(value).success) {
    throw new Error(`--${name} must be an ISO 8601 instant to the second or millisecond, with Z or an offset, such as 2026-06-15T10:00:00+07:00, got "${value}"\n${USAGE}`);
  }
  const at = new Date(value);
  // The year before it, and deadlines up to months after it, must be storable dates.
  if (!inPgRange(new Date(at.getTime() - 400 * DAY_MS)) || !inPgRange(new Date(at.getTime() + 400 * DAY_MS))) {
    throw new Error(`--${name} must fall between the years 0002 and 9998, got "${value}"\n${USAGE}`);
  }
  return at;
}

let reports: number;
let seed: number;
let now: Date | undefined;
let config;
try {
  const { values } = parseArgs({ options: { reports: { type: 'string' }, seed: { type: 'string' }, now: { type: 'string' } }, strict: true });
  // The benchmark seeds 10,000,000.
  reports = integerOption('reports', values.reports, 20_000, 0, 20_000_000);
  seed = integerOption('seed', values.seed, 1, 0, 2 ** 32 - 1);
  now = instantOption('now', values.now);
  config = loadConfig();
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  console.error(message.includes(USAGE) || error instanceof ConfigError ? message : `${message}\n${USAGE}`);
  process.exit(2);
}

const started = performance.now();
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
const engine = engineOf(db);
try {
  await migrate(db);
  if (await loadGeography(db)) console.log('Loaded the Đắk Lắk geography.');
  if (await ensureDemoPlan(db)) console.log('Loaded the demo planning layer (marked demo).');
  console.log(`Seeding ${reports.toLocaleString('en-US')} reports (seed ${seed}${now ? `, now ${now.toISOString()}` : ''}) into the ${engine.kind} engine…`);
  const result = await seedDemo(db, {
    reports,
    seed,
    now,
    onProgress: (done, total) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\r  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}  (${seconds} s)`);
    },
  });
  if (reports > 0) process.stdout.write('\n');
  console.log(`Seeded ${result.reports.toLocaleString('en-US')} reports in ${(result.ms / 1000).toFixed(1)} s (total ${((performance.now() - started) / 1000).toFixed(1)} s).`);
  console.log('Demo logins:');
  for (const l of DEMO_LOGINS) console.log(`  ${l.role.padEnd(10)} ${l.username} / ${l.password}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await engine.close();
}
