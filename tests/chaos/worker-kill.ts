import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { EngineKind } from '../../server/db/engine.js';
import { mulberry32 } from '../../server/services/seed/prng.js';
import {
  chaosServer, drainAndInspect, freePort, prepareDatabase, resetPostgres, sweptFiles, withTimeout,
} from './harness.js';
import type { Verdict } from './inspect.js';
import { startReceiver } from './receiver.js';
import { sleep } from './server-process.js';
import { makeImages, runSubmitter, type ClientStats, type Control, type Submission } from './submitters.js';

export interface WorkerKillOptions {
  engine: EngineKind;
  /** SIGKILLs of a worker (never the supervisor). */
  kills: number;
  /** postgres only: workers to run (WORKERS); the embedded engine always has one. */
  workers?: number;
  clients?: number;
  /** postgres only: a database the harness may wipe. */
  databaseUrl?: string;
  seed?: number;
  keepFiles?: boolean;
  log?: (line: string) => void;
}

export interface WorkerKillResult extends Verdict {
  engine: EngineKind;
  workers: number;
  kills: number;
  /** Per kill: from the worker's death to its replacement listening, as the supervisor logged it. */
  replacedMs: number[];
  /** The supervisor's pid never changed: only workers died. */
  supervisorSurvived: boolean;
  /**
   * Health probes, each on a new connection, started every 50 ms through the run.
   * "During restart": started once the supervisor saw the worker die and
   * before the replacement listened; with another worker alive none of them
   * may fail. Probes that had reached the killed worker before the supervisor
   * saw it die (in flight, or handed to it by the cluster in that instant)
   * are counted apart: those requests were the dead worker's.
   */
  probes: { total: number; duringRestart: number; failedDuringRestart: number; failedOnDyingWorker: number; failedOther: number; failures: string[] };
  submissions: number;
  rejected: string[];
  unresolved: number;
  clients: ClientStats;
  swept: { orphans: number; temporary: number };
  wallMs: number;
  seed: number;
}

interface Probe { start: number; end: number; ok: boolean; error?: string }

/**
 * The supervisor under load: clients file reports with photos and
 * Idempotency-Keys while a worker is SIGKILLed `kills` times. Afterwards the
 * server is restarted once (its startup sweep removes what the killed workers
 * left half-written), the outbox drains, and every acknowledged report is
 * checked as in the kill -9 harness.
 */
export async function runWorkerKill(options: WorkerKillOptions): Promise<WorkerKillResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const workers = options.engine === 'postgres' ? options.workers ?? 2 : 1;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `civic-worker-kill-${options.engine}-`));
  const dataDir = path.join(workDir, 'data');
  const mediaDir = path.join(workDir, 'media');
  const dashboardDir = path.join(workDir, 'dashboard');
  fs.mkdirSync(dashboardDir, { recursive: true });
  fs.writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html><title>chaos</title>');
  if (options.engine === 'postgres' && !options.databaseUrl) throw new Error('the postgres engine needs a databaseUrl');
  log(`worker kill: ${options.engine}, ${workers} worker(s), ${options.kills} kills, seed ${seed}, work dir ${workDir}`);

  const receiver = await startReceiver();
  const port = await freePort();
  const server = chaosServer(options, { workDir, dataDir, mediaDir, dashboardDir }, port, options.engine === 'postgres' ? { WORKERS: String(workers) } : {});

  const submissions: Submission[] = [];
  const stats: ClientStats = { requests: 0, connectionErrors: 0, inProgress409: 0, serverErrors: 0, serverErrorSamples: [] };
  const control: Control = { generating: true, giveUpAt: Infinity };
  const probes: Probe[] = [];
  let probing = true;
  let clients: Promise<void>[] = [];
  let prober: Promise<void> = Promise.resolve();
  let failed = true;
  try {
    if (options.engine === 'postgres') await resetPostgres(options.databaseUrl!);
    await prepareDatabase(options, dataDir, receiver.url);
    const images = await makeImages();
    await withTimeout(server.spawn().ready, 180_000, 'the supervised server did not become ready within 180 s');
    const supervisor = supervisorPid(server.pid!);
    await waitFor(() => workerPids(supervisor).length === workers, 120_000, `${workers} workers did not start`);
    log(`supervisor ${supervisor}, workers ${workerPids(supervisor).join(', ')}`);

    clients = Array.from({ length: options.clients ?? 3 }, () => runSubmitter(server.baseUrl, images, submissions, stats, control, random));
    // Probes start every 50 ms whether or not earlier ones have answered: one that meets the dying
    // worker hangs until its 10 s timeout, and a probe waiting on it would miss the restart it is there to see.
    prober = (async () => {
      const inFlight = new Set<Promise<void>>();
      while (probing) {
        if (inFlight.size < 20) {
          const start = Date.now();
          const done: Promise<void> = probe(port).then((outcome) => {
            probes.push({ start, end: Date.now(), ok: outcome === 'ok', error: outcome === 'ok' ? undefined : outcome });
            inFlight.delete(done);
          });
          inFlight.add(done);
        }
        await sleep(50);
      }
      await Promise.all(inFlight);
    })();

    const replacedMs: number[] = [];
    const windows: [number, number][] = [];
    const kills: number[] = [];
    for (let k = 1; k <= options.kills; k++) {
      // A worker killed within 10 s of listening counts as failing to boot and is restarted after a back-off;
      // this run measures the replacement of a healthy worker.
      await sleep(10_500 + random() * 2_000);
      const pids = workerPids(supervisor);
      const victim = pids[Math.floor(random() * pids.length)]!;
      const killedAt = Date.now();
      process.kill(victim, 'SIGKILL');
      const line = await waitFor(() => supervisorLines(server.logFile, 'worker replaced')[k - 1], 120_000, `kill ${k}: the worker was not replaced within 120 s`);
      const died = supervisorLines(server.logFile, 'worker died')[k - 1]!;
      replacedMs.push(line.downMs!);
      kills.push(killedAt);
      windows.push([died.time, line.time]);
      await waitFor(() => workerPids(supervisor).length === workers, 10_000, `kill ${k}: ${workers} workers not running again`);
      log(`kill ${k}/${options.kills}: worker ${victim} replaced in ${line.downMs} ms; ${submissions.filter((s) => s.acked).length} acknowledged`);
    }
    const supervisorSurvived = supervisorPid(server.pid!) === supervisor;

    control.generating = false;
    control.giveUpAt = Date.now() + 420_000;
    await Promise.all(clients);
    probing = false;
    await prober;
    log(`clients settled: ${submissions.filter((s) => s.acked).length} acknowledged`);

    // The killed workers' half-written files are the next start's to sweep, as after a crash of the whole server.
    await server.stop();
    await withTimeout(server.spawn().ready, 180_000, 'the server did not restart for the sweep');
    const verdict = await drainAndInspect(options, server, receiver, dataDir, mediaDir, submissions, log);

    const inWindow = (p: Probe) => windows.some(([from, to]) => p.start >= from && p.start <= to);
    const onDyingWorker = (p: Probe) => windows.some(([seen], i) => p.start < seen && p.end >= kills[i]!);
    const result: WorkerKillResult = {
      engine: options.engine,
      workers,
      kills: options.kills,
      replacedMs,
      supervisorSurvived,
      probes: {
        total: probes.length,
        duringRestart: probes.filter(inWindow).length,
        failedDuringRestart: probes.filter((p) => !p.ok && inWindow(p)).length,
        failedOnDyingWorker: probes.filter((p) => !p.ok && !inWindow(p) && onDyingWorker(p)).length,
        failedOther: probes.filter((p) => !p.ok && !inWindow(p) && !onDyingWorker(p)).length,
        // Each failure: what it met, and when it started relative to the nearest kill.
        failures: probes.filter((p) => !p.ok).map((p) => {
          const i = kills.reduce((best, at, j) => (Math.abs(p.start - at) < Math.abs(p.start - kills[best]!) ? j : best), 0);
          return `${p.error} (started ${p.start - kills[i]!} ms after a kill, the supervisor saw the death at ${windows[i]![0] - kills[i]!} ms; took ${p.end - p.start} ms)`;
        }),
      },
      submissions: submissions.length,
      rejected: submissions.filter((s) => s.rejected).map((s) => `${s.key}: ${s.rejected!.status} ${s.rejected!.body}`),
      unresolved: submissions.filter((s) => s.unresolved).length,
      clients: stats,
      swept: sweptFiles(server.logFile),
      wallMs: Date.now() - started,
      seed,
      ...verdict,
    };
    failed = !workerKillPassed(result);
    return result;
  } catch (error) {
    log(`worker-kill run failed; server log tail:\n${server.logTail()}`);
    throw error;
  } finally {
    probing = false;
    control.generating = false;
    control.giveUpAt = 0;
    await server.kill().catch(() => {});
    await Promise.allSettled([...clients, prober]);
    await receiver.close();
    if (!options.keepFiles && !failed) fs.rmSync(workDir, { recursive: true, force: true });
    else log(`files kept in ${workDir}`);
  }
}

export function workerKillPassed(r: WorkerKillResult): boolean {
  return r.lost.length === 0 && r.duplicated.length === 0 && r.replayMismatches.length === 0 && r.brokenMedia.length === 0
    && r.orphans.length === 0 && r.outbox.missing.length === 0 && r.withoutCreatedEvent.length === 0 && r.rejected.length === 0
    && r.unresolved === 0 && r.supervisorSurvived && r.replacedMs.length === r.kills
    && (r.workers === 1 || r.probes.failedDuringRestart === 0);
}

/** A GET /api/health on a connection of its own, so a probe meets whichever worker the cluster picks. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : `HTTP ${res.statusCode}`));
      res.on('error', (e) => resolve(e.message));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
  });
}

/** Node processes running server/main.ts, by parent pid (tsx also starts an esbuild service beside them). */
function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const line of execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).trim().split('\n')) {
    const [pid, ppid, ...args] = line.trim().split(/\s+/);
    if (!args.some((a) => a.endsWith('server/main.ts'))) continue;
    byParent.set(Number(ppid), [...(byParent.get(Number(ppid)) ?? []), Number(pid)]);
  }
  return byParent;
}

/** tsx runs the supervisor as its one child process. */
function supervisorPid(tsxPid: number): number {
  const pid = children().get(tsxPid)?.[0];
  if (!pid) throw new Error(`no supervisor under tsx ${tsxPid}`);
  return pid;
}

function workerPids(supervisor: number): number[] {
  return children().get(supervisor) ?? [];
}

/** The supervisor's "worker died" / "worker replaced" lines (pino JSON, error and warn level), in order. */
function supervisorLines(logFile: string, msg: 'worker died' | 'worker replaced'): { time: number; downMs?: number }[] {
  const lines: { time: number; downMs?: number }[] = [];
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes(`"${msg}"`)) continue;
    try {
      const entry = JSON.parse(line) as { time: number; downMs?: number };
      lines.push({ time: entry.time, downMs: entry.downMs });
    } catch {
      // A line cut by SIGKILL.
    }
  }
  return lines;
}

async function waitFor<T>(check: () => T | undefined | false, withinMs: number, message: string): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(message);
    await sleep(50);
  }
}
