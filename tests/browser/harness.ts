import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

const DASHBOARD_DIR = path.join(REPO_ROOT, 'dashboard');
// Several people building at once on one checkout each set their own CIVIC_DIST (relative to the repository root).
const DIST = process.env.CIVIC_DIST ?? 'dist';
/** The built dashboard the test server serves. */
export const DIST_DIR = path.join(REPO_ROOT, DIST);
const DIST_INDEX = path.join(DIST_DIR, 'index.html');

export interface ServerOptions {
  /** Demo reports seeded on first start. */
  seedReports?: number;
  /**
   * Extra environment for the server, e.g. MAP_STYLE_URL. Runtime settings
   * only: the database comes from a template made without them (see below).
   */
  env?: Record<string, string>;
  /** How long to wait for /api/health; the embedded database's first boot is slow. */
  readyTimeoutMs?: number;
  /** Server entry point, relative to the repository root. */
  entry?: string;
}

export interface TestServer {
  url: string;
  /** Everything the server printed so far; handy in failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the dashboard when dist/ is missing or older than its sources, so a test never runs a stale bundle. */
export function ensureDashboardBuilt() {
  const builtAt = fs.existsSync(DIST_INDEX) ? fs.statSync(DIST_INDEX).mtimeMs : 0;
  if (builtAt > newestMtime(DASHBOARD_DIR)) return;
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', path.join(REPO_ROOT, DIST)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // Vitest sets NODE_ENV=test, which would build with import.meta.env.PROD false: no service worker, a build unlike production's.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * Starts the real server on 127.0.0.1 with its own embedded database under
 * .tmp/, and resolves once /api/health answers 200.
 *
 * The database is a copy of a template made by one first start (migrations,
 * geography, demo seed) per seed size, source version and day: a first start
 * costs about half a minute, a copy and restart a few seconds, and CI starts
 * some twenty servers. Each test still gets a database of its own.
 */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  ensureDashboardBuilt();
  const seedReports = opts.seedReports ?? 300;
  fs.mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(REPO_ROOT, '.tmp', 'browser-'));
  const template = opts.entry ? undefined : await databaseTemplate(seedReports, opts.readyTimeoutMs);
  if (template) fs.cpSync(template, dataDir, { recursive: true });
  return spawnServer({ ...opts, seedReports }, dataDir);
}

/**
 * The first-start directory for a seed size, made once and then reused while
 * nothing that shapes it changed; undefined when its server did not stop
 * cleanly (a copy of a half-written database would be no test at all).
 */
async function databaseTemplate(seedReports: number, readyTimeoutMs?: number): Promise<string | undefined> {
  const root = path.join(REPO_ROOT, '.tmp', 'browser-templates');
  // The seed dates reports relative to today, so a template lasts a day at most.
  const day = new Date().toISOString().slice(0, 10);
  const key = createHash('sha256')
    .update(JSON.stringify([seedReports, day, newestMtime(path.join(REPO_ROOT, 'sql')), newestMtime(path.join(REPO_ROOT, 'server')), newestMtime(path.join(REPO_ROOT, 'fixtures'))]))
    .digest('hex')
    .slice(0, 16);
  const template = path.join(root, `seed-${seedReports}-${key}`);
  if (fs.existsSync(template)) return template;
  fs.mkdirSync(root, { recursive: true });
  // Yesterday's or an older source's templates of this size are of no more use.
  for (const old of fs.readdirSync(root)) {
    if (old.startsWith(`seed-${seedReports}-`)) fs.rmSync(path.join(root, old), { recursive: true, force: true });
  }
  const building = fs.mkdtempSync(path.join(root, 'building-'));
  const server = await spawnServer({ seedReports, readyTimeoutMs }, building);
  await server.stop({ keepData: true, graceMs: 60_000 });
  // A clean stop releases the data directory's lock.
  if (fs.existsSync(path.join(building, 'civic-ops.lock'))) {
    fs.rmSync(building, { recursive: true, force: true });
    return undefined;
  }
  try {
    fs.renameSync(building, template);
  } catch (error) {
    // Someone else's run finished the same template first; theirs is as good.
    if (!fs.existsSync(template)) throw error;
    fs.rmSync(building, { recursive: true, force: true });
  }
  return template;
}

async function spawnServer(opts: ServerOptions & { seedReports: number }, dataDir: string): Promise<TestServer & { stop(o?: { keepData?: boolean; graceMs?: number }): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(process.execPath, ['--import', 'tsx', opts.entry ?? 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_REPORTS: String(opts.seedReports),
      LOG_LEVEL: 'warn',
      DASHBOARD_DIR: DIST,
      // The browser fills the form at machine speed; the fill-time check would hold every report it files.
      // Tests of that check set MIN_FILL_SECONDS themselves.
      MIN_FILL_SECONDS: '0',
      // The demo admin and dispatcher sign in with a password alone; staff-mfa.test.ts sets the default roles back.
      MFA_REQUIRED_ROLES: 'none',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    // The tail is what explains a failure; keep memory bounded on chatty runs.
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const stop = async ({ keepData = false, graceMs = 15_000 } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(killed);
    }
    if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`Server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return { url, output: () => log, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`Server was not ready within ${opts.readyTimeoutMs ?? 180_000} ms:\n${log}`);
}

/** Headless Chromium with software WebGL, and nothing that reaches the internet on its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface PageProblems {
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Requests to our origin that failed or answered 4xx/5xx. */
  failedRequests: string[];
  /** console.error lines; informative, since WebGL drivers log harmless noise. */
  consoleErrors: string[];
}

/** Records what went wrong in a page; pass our server's URL to judge requests. */
export function watchPage(page: Page, origin: string): PageProblems {
  const problems: PageProblems = { errors: [], failedRequests: [], consoleErrors: [] };
  const ours = (u: string) => u.startsWith(origin);
  page.on('pageerror', (error) => problems.errors.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed';
    // The dashboard aborts fetches it no longer needs; that is not a failure.
    if (ours(request.url()) && reason !== 'net::ERR_ABORTED') problems.failedRequests.push(`${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (ours(response.url()) && response.status() >= 400) problems.failedRequests.push(`${response.url()} ${response.status()}`);
  });
  return problems;
}

/** Waits until the map has drawn its boundaries and labels (the dashboard sets data-map-ready). */
export async function waitForMap(page: Page, timeout = 120_000) {
  await page.locator('[data-map-ready="true"]').waitFor({ state: 'attached', timeout });
}

export interface ImageStats {
  width: number;
  height: number;
  /** Distinct colours after quantising each channel to 32 levels. */
  distinctColours: number;
  /** Share of pixels that differ from the most common colour. */
  nonDominantShare: number;
  /** Share of pixels darker than mid-grey (lines, text). */
  darkShare: number;
}

/** Decodes a PNG in the page (no image library needed here) and summarises its pixels. */
export async function imageStats(page: Page, png: Buffer): Promise<ImageStats> {
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    const counts = new Map<number, number>();
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
      const key = ((data[i] >> 3) << 10) | ((data[i + 1] >> 3) << 5) | (data[i + 2] >> 3);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (data[i] + data[i + 1] + data[i + 2] < 384) dark++;
    }
    const pixels = data.length / 4;
    const dominant = Math.max(...counts.values());
    return {
      width: bitmap.width,
      height: bitmap.height,
      distinctColours: counts.size,
      nonDominantShare: 1 - dominant / pixels,
      darkShare: dark / pixels,
    };
  }, png.toString('base64'));
}

export function screenshotPath(name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, name);
}
