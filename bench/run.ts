// npm run bench [-- --reports N --db URL --duration S --viewers 1,10 --only NAME]
// Loads N reports into a PostGIS database (once), starts the real server on it,
// and measures each registered endpoint against its plain-SQL floor, once per
// number of concurrent viewers (connections).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../server/db/database.js';
import { coreEndpoints } from './endpoints/core.js';
import { staffEndpoints } from './endpoints/staff.js';
import type { BenchContext, BenchEndpoint } from './types.js';

const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/civic_bench' },
    duration: { type: 'string', default: '10' },
    viewers: { type: 'string', default: '1,10' },
    connections: { type: 'string' },
    only: { type: 'string' },
  },
});
const reports = Number(values.reports);
const duration = Number(values.duration);
// --connections C is the older spelling of --viewers C.
const viewerCounts = (values.connections ?? values.viewers).split(',').map(Number);
const connections = Math.max(...viewerCounts);
if (!Number.isInteger(reports) || reports < 0 || !(duration > 0) || !viewerCounts.every((v) => Number.isInteger(v) && v > 0)) {
  console.error('Usage: npm run bench -- [--reports N] [--db postgres://…] [--duration seconds] [--viewers 1,10] [--only substring]');
  process.exit(2);
}

const ENDPOINTS: BenchEndpoint[] = [...coreEndpoints, ...staffEndpoints, ...(await optionalEndpoints())]
  .filter((e) => !values.only || e.name.includes(values.only));

/** Endpoint modules added by later features register themselves by existing in bench/endpoints/. */
async function optionalEndpoints(): Promise<BenchEndpoint[]> {
  const found: BenchEndpoint[] = [];
  for (const file of fs.readdirSync(new URL('./endpoints/', import.meta.url)).sort()) {
    if (!file.endsWith('.ts') || file === 'core.ts' || file === 'staff.ts') continue;
    const mod = await import(`./endpoints/${file}`);
    for (const v of Object.values(mod)) if (Array.isArray(v)) found.push(...(v as BenchEndpoint[]));
  }
  return found;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

async function ensureLoaded(pool: pg.Pool) {
  await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  const exists = await pool.query(`select to_regclass('reports') as t`);
  const have = exists.rows[0].t ? (await pool.query('select count(*)::int as n from reports')).rows[0].n : 0;
  if (have >= reports) {
    console.log(`Database already holds ${have.toLocaleString('en-US')} reports; not loading.`);
    return;
  }
  const started = performance.now();
  await run('npx', ['tsx', 'server/cli/seed.ts', '--reports', String(reports - have), '--seed', String(have + 1)], { DATABASE_URL: values.db, LOG_LEVEL: 'warn' });
  console.log(`Loaded ${(reports - have).toLocaleString('en-US')} reports in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await pool.query('ANALYZE');
}

async function startServer(port: number) {
  // One process (node with tsx's loader), so killing it stops the server; through npx the server outlived the bench.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, DATABASE_URL: values.db, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DB_POOL_SIZE: '10', DATA_DIR: '.tmp/bench-data',
      // The bench posts the same text from one address: measure the work, not the abuse defences.
      RATE_LIMITS: 'off',
      // The demo staff sign in with a password alone; one worker, so each ratio is one process against the floor.
      MFA_REQUIRED_ROLES: 'none', WORKERS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error('The server did not start');
}

async function sampleContext(pool: pg.Pool, port: number): Promise<BenchContext> {
  const points = (await pool.query(`select ST_Y(geom) lat, ST_X(geom) lon from reports tablesample system (1) limit 500`)).rows;
  const codes = (await pool.query(`select code from reports tablesample system (1) where status not in ('rejected','merged','withdrawn') limit 500`)).rows.map((r) => r.code);
  const fields = (await pool.query('select code from fields where active')).rows.map((r) => r.code);
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dieuphoi', password: 'daklak-dieuphoi-2025' }),
  });
  const staffCookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  if (!login.ok) console.warn('Staff login failed; staff endpoints will measure 401s');
  const officer = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'canbo.bmt', password: 'daklak-canbo-2025' }),
  });
  const officerCookie = (officer.headers.get('set-cookie') ?? '').split(';')[0];
  const officerUnit = (await pool.query(`select unit_id from staff_users where username = 'canbo.bmt'`)).rows[0]?.unit_id as number;
  if (!officer.ok) console.warn('Officer login failed; the officer inbox will measure 401s');
  const districts = (await pool.query(`select id, code from admin_areas where level = 'district'`)).rows;
  return { points, codes, fields, districts, staffCookie, officerCookie, officerUnit, random: (items) => items[Math.floor(Math.random() * items.length)] };
}

interface Measure {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  errors: number;
}

async function measureApi(port: number, ctx: BenchContext, e: BenchEndpoint, connections: number): Promise<Measure> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [{
      method: e.method ?? 'GET',
      setupRequest: (req) => {
        const r = e.request(ctx);
        return { ...req, path: r.path, body: r.body, headers: { ...req.headers, ...r.headers } } as typeof req;
      },
    }],
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { p50: result.latency.p50, p95: percentile(result.latency as unknown as Record<string, number>, 95), p99: result.latency.p99, rps: result.requests.average, errors };
}

function percentile(latency: Record<string, number>, p: number): number {
  // autocannon reports p90 and p97.5 but not p95; interpolate between them.
  if (latency[`p${p}`] !== undefined) return latency[`p${p}`];
  return latency.p90 + ((latency.p97_5 - latency.p90) * (95 - 90)) / (97.5 - 90);
}

/** The floor: the same query straight through pg with as many concurrent clients as the API gets. */
async function measureFloor(pool: pg.Pool, db: Kysely<Database>, ctx: BenchContext, e: BenchEndpoint, connections: number): Promise<Measure> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + duration * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      const q = e.floor(ctx);
      const t = performance.now();
      try {
        if ('run' in q) await q.run(db);
        else await pool.query(q.sql, q.params);
      } catch (err) {
        if (errors++ === 0) console.warn(`  floor error for ${e.name}: ${(err as Error).message}`);
      }
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { p50: at(50), p95: at(95), p99: at(99), rps: latencies.length / duration, errors };
}

const pool = new pg.Pool({ connectionString: values.db, max: connections + 2 });
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: values.db, max: connections + 2 }) }) });
await ensureLoaded(pool);
const port = 18_000 + Math.floor(Math.random() * 1000);
const server = await startServer(port);
interface Row {
  endpoint: string;
  viewers: number;
  api: Measure;
  floor: Measure;
  ratio_p50: number;
  ratio_p95: number;
  ratio_rps: number;
}
const rows: Row[] = [];
try {
  const ctx = await sampleContext(pool, port);
  // The first statistics request waits for the in-memory store to load; that is boot, not a viewer's wait.
  await fetch(`http://127.0.0.1:${port}/api/stats/summary`, { headers: { cookie: ctx.staffCookie } });
  for (const e of ENDPOINTS) {
    for (const viewers of viewerCounts) {
      process.stdout.write(`measuring ${e.name} with ${viewers} viewer(s) …\n`);
      const floor = await measureFloor(pool, db, ctx, e, viewers);
      const api = await measureApi(port, ctx, e, viewers);
      const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 0.01)) * 100) / 100;
      rows.push({ endpoint: e.name, viewers, api, floor, ratio_p50: ratio(api.p50, floor.p50), ratio_p95: ratio(api.p95, floor.p95), ratio_rps: ratio(api.rps, floor.rps) });
    }
  }
} finally {
  server.kill('SIGTERM');
  await pool.end();
  await db.destroy();
}

// One line per endpoint, one column group per viewer count: API p50 / p95, the floor's, and API p95 ÷ floor p95.
const n = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const cell = (r: Row | undefined) => (r ? `${n(r.api.p50)} / ${n(r.api.p95)}${r.api.errors ? ` (${r.api.errors} err)` : ''} | ${n(r.floor.p50)} / ${n(r.floor.p95)} | ×${r.ratio_p95}` : '');
console.log(`\n${reports.toLocaleString('en-US')} reports, ${duration} s per run, latency in ms (API p50 / p95 | floor p50 / p95 | API p95 ÷ floor p95)\n`);
console.log(`| endpoint | ${viewerCounts.map((v) => `${v} viewer${v > 1 ? 's' : ''}: API | floor | ratio`).join(' | ')} |`);
console.log(`|---|${viewerCounts.map(() => '---|---|---').join('|')}|`);
for (const e of ENDPOINTS) {
  console.log(`| ${e.name} | ${viewerCounts.map((v) => cell(rows.find((r) => r.endpoint === e.name && r.viewers === v))).join(' | ')} |`);
}
const dir = path.resolve('bench/results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ reports, viewers: viewerCounts, duration, at: new Date().toISOString(), rows }, null, 2));
console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
