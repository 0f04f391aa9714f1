import { describe, expect, it } from 'vitest';
import type { EngineKind } from '../../server/db/engine.js';
import { runWorkerKill } from './worker-kill.js';

/**
 * The short CI version of `npm run chaos -- --worker-kill`: a worker (never
 * the supervisor) is SIGKILLed twice under load
 * (CHAOS_KILLS for more). PostgreSQL runs two
 * workers and needs TEST_DATABASE_URL; its run wipes a database beside that
 * one, named with a _chaos_workers suffix.
 */
const ENGINES: EngineKind[] = process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
const KILLS = Number(process.env.CHAOS_KILLS ?? 2);

function chaosDatabaseUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `${url.pathname.replace(/\/$/, '')}_chaos_workers`;
  return url.toString();
}

describe.each(ENGINES)('worker kill under the supervisor (%s)', (engine) => {
  it(`replaces a SIGKILLed worker ${KILLS} times and loses nothing acknowledged`, async () => {
    const r = await runWorkerKill({
      engine, kills: KILLS, clients: 3, databaseUrl: engine === 'postgres' ? chaosDatabaseUrl() : undefined,
      log: process.env.CHAOS_VERBOSE ? (line) => console.log(line) : undefined,
    });
    console.log(`worker kill (${engine}): replaced in ${r.replacedMs.join(', ')} ms; probes ${r.probes.total} (${r.probes.duringRestart} during restarts, `
      + `${r.probes.failedDuringRestart} failed there, ${r.probes.failedOnDyingWorker} on the dying worker: ${r.probes.failures.join('; ')}); ${r.acknowledged} acknowledged; ${(r.wallMs / 1000).toFixed(0)} s`);
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.supervisorSurvived).toBe(true);
    expect(r.replacedMs).toHaveLength(KILLS);
    // Within seconds on an idle machine; the bound leaves room for a loaded CI runner booting PGlite.
    for (const ms of r.replacedMs) expect(ms).toBeLessThan(engine === 'postgres' ? 20_000 : 60_000);
    if (engine === 'postgres') {
      expect(r.probes.duringRestart).toBeGreaterThan(0);
      expect(r.probes.failedDuringRestart).toBe(0);
    }
    expect(r.lost).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(r.replayMismatches).toEqual([]);
    expect(r.brokenMedia).toEqual([]);
    expect(r.orphans).toEqual([]);
    expect(r.withoutCreatedEvent).toEqual([]);
    expect(r.outbox.missing).toEqual([]);
    expect(r.rejected).toEqual([]);
    expect(r.unresolved).toBe(0);
  });
});
