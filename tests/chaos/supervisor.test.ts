import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, withoutDatabaseSettings } from './harness.js';
import { ServerProcess, sleep } from './server-process.js';

/**
 * The supervisor (`npm start`) when its worker cannot boot: here the port is
 * taken, so every worker dies at once. It must back off (0.5 s, 1 s, 2 s …)
 * instead of forking in a tight loop, start serving as soon as the port is
 * free, and stop cleanly on SIGTERM, releasing its locks.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function logLines(file: string, msg: string): { time: number; restartInMs?: number }[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(`"${msg}"`)).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

describe('supervisor', () => {
  it('backs off a worker that keeps dying at boot, recovers, and stops on SIGTERM', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civic-supervisor-'));
    cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
    const dashboardDir = path.join(workDir, 'dashboard');
    fs.mkdirSync(dashboardDir);
    fs.writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html>');
    const port = await freePort();
    // Something else holds the port: each worker's listen fails with EADDRINUSE and it exits.
    // It drops every connection at once, so the readiness probes fail fast and close() need not wait for them.
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => (squatter.listening ? squatter.close(() => r()) : r())));

    const server = new ServerProcess({
      ...withoutDatabaseSettings(process.env),
      PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(workDir, 'data'), DASHBOARD_DIR: dashboardDir,
      LOG_LEVEL: 'warn', SEED_REPORTS: '0',
    }, port, path.join(workDir, 'server.log'));
    const { ready } = server.spawn();
    cleanups.push(() => server.kill());
    ready.catch(() => {});

    for (let waited = 0; logLines(server.logFile, 'worker died').length < 5; waited += 200) {
      if (waited > 240_000) throw new Error(`fewer than 5 worker deaths in 240 s:\n${server.logTail()}`);
      await sleep(200);
    }
    const deaths = logLines(server.logFile, 'worker died').slice(0, 5);
    expect(deaths.map((d) => d.restartInMs)).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    // The delays are really waited: each death comes later than the one before plus its delay.
    for (let i = 1; i < deaths.length; i++) expect(deaths[i]!.time - deaths[i - 1]!.time).toBeGreaterThanOrEqual(deaths[i - 1]!.restartInMs!);

    // The port frees up: the next restart serves.
    await new Promise<void>((r) => squatter.close(() => r()));
    await ready;
    const health = await fetch(`${server.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(logLines(server.logFile, 'worker replaced')).toHaveLength(1);

    const stopping = Date.now();
    await server.stop();
    // A clean stop releases both directories.
    const why = `stopped in ${Date.now() - stopping} ms:\n${server.logTail()}`;
    expect(fs.existsSync(path.join(workDir, 'data', 'civic-ops.lock')), why).toBe(false);
    expect(fs.existsSync(path.join(workDir, 'data', 'media', 'civic-ops.lock')), why).toBe(false);
  });
});
