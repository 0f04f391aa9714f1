// npm run load [-- --db URL --duration S --users N --profile DIR]
// Mixed traffic against the real server on a loaded PostGIS database (run
// `npm run bench` once to load 1M reports): 80% reads (map, tracking,
// statistics), 15% submissions, 5% staff actions, from N concurrent users
// without think time. Reports throughput, latency per class, errors, and the
// server's event-loop delay (sampled inside it by bench/loop-probe.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/civic_bench' },
    duration: { type: 'string', default: '60' },
    users: { type: 'string', default: '16' },
    port: { type: 'string', default: '8799' },
    // Writes the server's CPU profile (.cpuprofile, for Chrome DevTools) into DIR when it stops.
    profile: { type: 'string' },
  },
});
const duration = Number(values.duration);
const users = Number(values.users);
const port = Number(values.port);
if (!(duration > 0) || !Number.isInteger(users) || users < 1) {
  console.error('Usage: npm run load -- [--db postgres://…] [--duration seconds] [--users N]');
  process.exit(2);
}
const base = `http://127.0.0.1:${port}`;
const probeFile = path.resolve('.tmp/load-loop-probe.json');

type Kind = 'map' | 'tracking' | 'stats' | 'nearby' | 'submit' | 'staff';
/** The mix: 80% reads, 15% submissions, 5% staff actions. */
const MIX: [Kind, number][] = [['map', 0.25], ['tracking', 0.3], ['stats', 0.15], ['nearby', 0.1], ['submit', 0.15], ['staff', 0.05]];

interface Sample { kind: Kind; ms: number; status: number }

async function main() {
  const pool = new pg.Pool({ connectionString: values.db, max: 2 });
  const { rows: [{ n }] } = await pool.query<{ n: number }>('select count(*)::int as n from reports');
  if (n < 100_000) console.warn(`Only ${n} reports in the database; the figures mean little below 1M (run npm run bench first).`);
  const points = (await pool.query<{ lat: number; lon: number }>('select ST_Y(geom) lat, ST_X(geom) lon from reports tablesample system (1) limit 500')).rows;
  const codes = (await pool.query<{ code: string }>(`select code from reports tablesample system (1) where status not in ('rejected','merged','withdrawn') limit 500`)).rows.map((r) => r.code);
  const received = (await pool.query<{ code: string }>(`select code from reports where status = 'received' order by created_at desc limit 3000`)).rows.map((r) => r.code);
  const fields = (await pool.query<{ code: string }>('select code from fields where active')).rows.map((r) => r.code);
  await pool.end();
  const created: string[] = [];
  const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 90, b: 60 } } }).jpeg().toBuffer();

  fs.mkdirSync(path.dirname(probeFile), { recursive: true });
  fs.rmSync(probeFile, { force: true });
  const server = await startServer();
  try {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dieuphoi', password: 'daklak-dieuphoi-2025' }),
    });
    if (!login.ok) throw new Error(`Staff login failed: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const { csrf_token: csrf } = await login.json() as { csrf_token: string };
    const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
    const bbox = (p: { lat: number; lon: number }) => [p.lon - 0.01, p.lat - 0.007, p.lon + 0.01, p.lat + 0.007].join(',');

    const request: Record<Kind, () => Promise<Response>> = {
      map: () => fetch(`${base}/api/reports?bbox=${bbox(pick(points))}&limit=200`),
      tracking: () => fetch(`${base}/api/reports/${pick(codes)}`),
      nearby: () => { const p = pick(points); return fetch(`${base}/api/reports/nearby?lat=${p.lat}&lon=${p.lon}&field=${pick(fields)}`); },
      stats: () => fetch(`${base}/api/stats/${pick(['summary', 'hexes?res=7', 'areas?level=district'])}`, { headers: { cookie } }),
      submit: async () => {
        const p = pick(points);
        const form = new FormData();
        form.set('field', pick(fields));
        form.set('title', 'Ổ gà lớn giữa đường');
        form.set('description', `Ổ gà sâu, xe máy dễ ngã vào buổi tối (${Math.random().toString(36).slice(2)}).`);
        form.set('lat', String(p.lat));
        form.set('lon', String(p.lon));
        // A person's form, opened a minute ago: without it the report would be held as too fast, and skip routing.
        form.set('opened_at', new Date(Date.now() - 60_000).toISOString());
        // One submission in five carries a photo, which the server re-encodes.
        if (Math.random() < 0.2) form.append('photos', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
        const res = await fetch(`${base}/api/reports`, { method: 'POST', body: form, headers: { 'Idempotency-Key': crypto.randomUUID() } });
        if (res.status === 201) {
          const body = await res.clone().json() as { code?: string };
          if (body.code) created.push(body.code);
        }
        return res;
      },
      // A dispatcher verifies what is waiting, or extends the deadline of a
      // report filed during the run (routed on arrival, so already assigned).
      staff: () => {
        const waiting = received.pop();
        const fresh = waiting ? undefined : created.shift();
        if (!waiting && !fresh) return fetch(`${base}/api/staff/reports?status=received`, { headers: { cookie } });
        const action = waiting
          ? { action: 'verify' }
          : { action: 'set_deadline', due_at: new Date(Date.now() + 10 * 86_400_000).toISOString(), reason: 'Cần khảo sát hiện trường thêm' };
        return fetch(`${base}/api/staff/reports/${waiting ?? fresh}/actions`, {
          method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(action),
        });
      },
    };

    const samples: Sample[] = [];
    const failures = new Map<Kind, string[]>();
    let networkErrors = 0;
    const loadStart = Date.now();
    const until = loadStart + duration * 1000;
    console.log(`Load: ${users} users for ${duration} s against ${n.toLocaleString('en-US')} reports…`);
    await Promise.all(Array.from({ length: users }, async () => {
      while (Date.now() < until) {
        let r = Math.random();
        const kind = MIX.find(([, w]) => (r -= w) < 0)?.[0] ?? 'tracking';
        const started = performance.now();
        try {
          const res = await request[kind]();
          const body = await res.text();
          samples.push({ kind, ms: performance.now() - started, status: res.status });
          const seen = failures.get(kind) ?? [];
          if (res.status >= 300 && seen.length < 3) failures.set(kind, [...seen, `${res.status} ${body.slice(0, 160)}`]);
        } catch {
          networkErrors++;
        }
      }
    }));
    report(samples, networkErrors, { from: loadStart, to: Date.now() });
    for (const [kind, seen] of failures) console.log(`First refusals (${kind}):\n  ${seen.join('\n  ')}`);
  } finally {
    // Waiting lets the server finish its shutdown (and write its profile) before we exit.
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  }
}

function report(samples: Sample[], networkErrors: number, window: { from: number; to: number }) {
  const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
  const rows = (['all', ...MIX.map(([k]) => k)] as const).map((kind) => {
    const of = samples.filter((s) => kind === 'all' || s.kind === kind);
    const ms = of.map((s) => s.ms).sort((a, b) => a - b);
    return {
      kind, requests: of.length, rps: +(of.length / duration).toFixed(1), p50: +pct(ms, 50).toFixed(1), p95: +pct(ms, 95).toFixed(1),
      p99: +pct(ms, 99).toFixed(1), errors: of.filter((s) => s.status >= 500 || s.status === 0).length,
      non2xx: of.filter((s) => s.status >= 300).length,
    };
  });
  const probed = fs.existsSync(probeFile) ? JSON.parse(fs.readFileSync(probeFile, 'utf8')) as { at: number; p99_ms: number; max_ms: number }[] : [];
  // Only the seconds wholly under load: the server's boot (migrations, module loading) is not what is measured.
  const loop = probed.filter((s) => s.at - 1000 >= window.from && s.at <= window.to);
  const worstP99 = Math.max(0, ...loop.map((s) => s.p99_ms));
  const worstMax = Math.max(0, ...loop.map((s) => s.max_ms));
  const p99s = loop.map((s) => s.p99_ms).sort((a, b) => a - b);
  const medianP99 = p99s.length ? p99s[Math.floor(p99s.length / 2)] : NaN;
  const over = loop.filter((s) => s.p99_ms > 100).length;
  console.table(rows);
  console.log(`Network errors: ${networkErrors}`);
  console.log(`Server event-loop delay over ${loop.length} s under load: per-second p99 median ${medianP99.toFixed(1)} ms, worst ${worstP99.toFixed(1)} ms; ${over} s above 100 ms; worst single delay ${worstMax.toFixed(1)} ms`);
  const out = path.resolve('bench/results', `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), duration, users, rows, networkErrors, eventLoop: { medianP99, worstP99, secondsOver100: over, worstMax, seconds: loop } }, null, 2));
  console.log(`Wrote ${out}`);
}

async function startServer(): Promise<ChildProcess> {
  // One process (node with tsx's loader), so killing it stops the server.
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', '--import', './bench/loop-probe.mjs', 'server/main.ts'], {
    env: {
      ...process.env, DATABASE_URL: values.db, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DB_POOL_SIZE: '10',
      DATA_DIR: '.tmp/load-data', MEDIA_DIR: '.tmp/load-media', LOOP_PROBE_FILE: probeFile, RATE_LIMITS: 'off',
      // The demo dispatcher signs in with a password alone.
      MFA_REQUIRED_ROLES: 'none',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error('The server did not start');
}

await main();
