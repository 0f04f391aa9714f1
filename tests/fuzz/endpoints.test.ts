import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { createLogger } from '../../server/log.js';
import { testConfig } from '../integration/context.js';
import { ENGINES, FUZZ_SEED, fuzzApp, fuzzDb, runsFor } from './context.js';
import { buildWorld, describeRequest, endpointsOf, Judge, keyOf, requestsFor, unroutedRequests, type Endpoint, type FuzzRequest, type World } from './harness.js';

/**
 * Property: whatever a client sends to any route, the server answers below
 * 500, every refusal is in the error shape the client was promised, nothing
 * is logged as an unhandled error, and a refusal leaves no row and no file.
 */

// Routes are read from an app built over no database: building the routes touches none.
const probe = createApp({ db: {} as never, config: testConfig(), logger: createLogger('silent'), storage: {} as never });
const ENDPOINTS = endpointsOf(probe);
const UNROUTED: Endpoint = { method: '*', path: '(unrouted paths)', validators: [] };
const SEED = FUZZ_SEED ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

interface Tally {
  endpoint: string;
  runs: number;
  statuses: Record<number, number>;
  fiveXx: number;
  shape: number;
  writes: number;
  logged: number;
  ms: number;
}

for (const engine of ENGINES) {
  describe(`fuzz every endpoint [${engine}]`, () => {
    let world: World;
    let judge: Judge;
    const tallies: Tally[] = [];
    const runs = runsFor(engine);
    let started = 0;

    beforeAll(async () => {
      started = Date.now();
      fs.mkdirSync(path.resolve('.tmp'), { recursive: true });
      fs.rmSync(path.resolve(`.tmp/fuzz-findings-${engine}.txt`), { force: true });
      const db = await fuzzDb(engine);
      const { app, config, errors } = fuzzApp(db, engine);
      world = await buildWorld(db, app, config.mediaDir, errors);
      judge = new Judge(world);
    });

    afterAll(() => {
      const total = {
        engine, seed: SEED, runs_per_endpoint: runs, endpoints: tallies.length,
        requests: tallies.reduce((n, t) => n + t.runs, 0),
        five_xx: tallies.reduce((n, t) => n + t.fiveXx, 0),
        shape_violations: tallies.reduce((n, t) => n + t.shape, 0),
        writes_left: tallies.reduce((n, t) => n + t.writes, 0),
        logged_errors: tallies.reduce((n, t) => n + t.logged, 0),
        wall_s: Math.round((Date.now() - started) / 1000),
      };
      fs.mkdirSync(path.resolve('.tmp'), { recursive: true });
      fs.writeFileSync(path.resolve(`.tmp/fuzz-summary-${engine}.json`), JSON.stringify({ total, tallies }, null, 2));
      console.log(`fuzz [${engine}] ${JSON.stringify(total)}`);
    });

    it('fuzzes every route the app serves, which are all the documented ones and more', async () => {
      const live = endpointsOf(world.app).map(keyOf).sort();
      expect(live).toEqual(ENDPOINTS.map(keyOf).sort());
      const doc = (await (await world.app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`.replace(/\/$/, '')));
      const fuzzed = new Set(ENDPOINTS.map((e) => `${e.method} ${e.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')}`.replace(/\/$/, '')));
      expect(documented.filter((d) => !fuzzed.has(d))).toEqual([]);
      expect(ENDPOINTS.length).toBeGreaterThan(documented.length);
    });

    for (const [index, ep] of [...ENDPOINTS, UNROUTED].entries()) {
      it(keyOf(ep), async () => {
        const tally: Tally = { endpoint: keyOf(ep), runs: 0, statuses: {}, fiveXx: 0, shape: 0, writes: 0, logged: 0, ms: 0 };
        const findings = new Map<string, string>();
        const t0 = Date.now();
        const arb: fc.Arbitrary<FuzzRequest> = ep === UNROUTED ? unroutedRequests : requestsFor(ep, world.pool);
        await fc.assert(
          fc.asyncProperty(arb, async (req) => {
            const { status, problems } = await judge.send(req);
            tally.runs++;
            tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
            for (const p of problems) {
              if (p.startsWith('5xx')) tally.fiveXx++;
              else if (p.startsWith('shape')) tally.shape++;
              else if (p.startsWith('write')) tally.writes++;
              else if (p.startsWith('logged')) tally.logged++;
              // One example per kind of failure; the message up to its first digit-free stretch names the kind.
              const kind = p.replace(/\d+/g, 'N').slice(0, 140);
              if (!findings.has(kind)) findings.set(kind, `${p}\n    ← ${describeRequest(req)}`);
            }
          }),
          // Problems are collected rather than thrown, so one run reports every kind of failure and the figures stay whole.
          { numRuns: runs, seed: SEED + index, endOnFailure: true },
        );
        tally.ms = Date.now() - t0;
        tallies.push(tally);
        if (findings.size) fs.appendFileSync(path.resolve(`.tmp/fuzz-findings-${engine}.txt`), `## ${keyOf(ep)} (seed ${SEED + index})\n${[...findings.values()].join('\n')}\n\n`);
        expect([...findings.values()], `seed ${SEED + index} (FUZZ_SEED=${SEED})`).toEqual([]);
      }, Math.max(120_000, runs * 150));
    }
  });
}
