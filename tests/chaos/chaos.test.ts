import { describe, expect, it } from 'vitest';
import type { EngineKind } from '../../server/db/engine.js';
import { runChaos } from './harness.js';

/**
 * The short CI version of `npm run chaos`: four kill -9 cycles per engine
 * (PostGIS only when TEST_DATABASE_URL is set; the run uses its own database
 * beside that one, named with a _chaos suffix, because it wipes it).
 * CHAOS_CYCLES runs more; CI keeps four because each embedded cycle costs a
 * boot of the engine, and CI has a time limit.
 */
const ENGINES: EngineKind[] = process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
const CYCLES = Number(process.env.CHAOS_CYCLES ?? 4);

function chaosDatabaseUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `${url.pathname.replace(/\/$/, '')}_chaos`;
  return url.toString();
}

describe.each(ENGINES)('crash safety (%s)', (engine) => {
  it(`loses and duplicates nothing acknowledged through ${CYCLES} kill -9 cycles`, async () => {
    const r = await runChaos({
      engine, cycles: CYCLES, clients: 3, databaseUrl: engine === 'postgres' ? chaosDatabaseUrl() : undefined,
      log: process.env.CHAOS_VERBOSE ? (line) => console.log(line) : undefined,
    });
    // The client saw real work, or the assertions below would prove nothing.
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.clients.connectionErrors).toBeGreaterThan(0);
    expect(r.lost).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(r.replayMismatches).toEqual([]);
    expect(r.brokenMedia).toEqual([]);
    expect(r.orphans).toEqual([]);
    expect(r.withoutCreatedEvent).toEqual([]);
    expect(r.outbox.missing).toEqual([]);
    expect(r.outbox.delivered).toBe(r.outbox.expected);
    expect(r.rejected).toEqual([]);
    expect(r.unresolved).toBe(0);
  });
});
