import crypto from 'node:crypto';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { streamSSE } from 'hono/streaming';
import type { AppDeps } from '../deps.js';
import { DomainError } from '../errors.js';
import { LiveEvents } from '../services/live-events.js';
import {
  aging, areaStats, assertResolution, hexStats, hourWeekday, pointsBuffer, summary, timeseries, unitStats, worstOverdue, STATUS_INDEX,
} from '../services/stats.js';
import { requireStaff } from './session.js';
import { AreasStatsQuery, HexesQuery, PointsQuery, StatsQuery, TimeseriesQuery, WorstQuery } from './stats.schema.js';
import { validate } from './validate.js';

const HEARTBEAT_MS = 15_000;

/**
 * Staff sessions read everything; a wall display may instead present the
 * configured read-only display token (header X-Display-Token or ?display_token=),
 * which opens these GET endpoints and nothing else.
 */
const staffOrDisplay = (deps: AppDeps) => {
  const staff = requireStaff(deps);
  return createMiddleware(async (c, next) => {
    const token = c.req.header('X-Display-Token') ?? c.req.query('display_token');
    const expected = deps.config.wallToken;
    if (token && expected) {
      const a = Buffer.from(token);
      const b = Buffer.from(expected);
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw new DomainError('unauthenticated', 'Invalid display token');
      c.header('Cache-Control', 'no-store');
      return next();
    }
    return staff(c as never, next);
  });
};

export const statsRoutes = (deps: AppDeps) => {
  const { db } = deps;
  const guard = staffOrDisplay(deps);
  return new Hono()
    .get('/stats/summary', guard, validate('query', StatsQuery), async (c) => c.json(await summary(db, c.req.valid('query'))))
    .get('/stats/areas', guard, validate('query', AreasStatsQuery), async (c) => {
      const { level, parent, ...q } = c.req.valid('query');
      return c.json(await areaStats(db, level, parent, q));
    })
    .get('/stats/hexes', guard, validate('query', HexesQuery), async (c) => {
      const { res, bbox, ...q } = c.req.valid('query');
      assertResolution(res);
      return c.json(await hexStats(db, res, bbox, q));
    })
    .get('/stats/points', guard, validate('query', PointsQuery), async (c) => {
      const { bbox, ...q } = c.req.valid('query');
      const buffer = await pointsBuffer(db, bbox!, q);
      if (!buffer) return c.json({ mode: 'hexes', reason: 'More than 50,000 reports in view; use /api/stats/hexes' });
      c.header('Content-Type', 'application/octet-stream');
      c.header('X-Statuses', STATUS_INDEX.join(','));
      return c.body(buffer as Uint8Array<ArrayBuffer>);
    })
    .get('/stats/timeseries', guard, validate('query', TimeseriesQuery), async (c) => {
      const { interval, ...q } = c.req.valid('query');
      return c.json(await timeseries(db, interval, q));
    })
    .get('/stats/hour-weekday', guard, validate('query', StatsQuery), async (c) => c.json(await hourWeekday(db, c.req.valid('query'))))
    .get('/stats/units', guard, validate('query', StatsQuery), async (c) => c.json(await unitStats(db, c.req.valid('query'))))
    .get('/stats/aging', guard, validate('query', StatsQuery), async (c) => c.json(await aging(db, c.req.valid('query'))))
    .get('/stats/overdue', guard, validate('query', WorstQuery), async (c) => {
      const { limit, ...q } = c.req.valid('query');
      return c.json(await worstOverdue(db, q, limit));
    })
    .get('/events', guard, (c) => {
      const live = liveFor(deps);
      return streamSSE(c, async (stream) => {
        const unsubscribe = live.subscribe((e) => void stream.writeSSE({ event: 'report', id: e.id, data: JSON.stringify(e) }));
        stream.onAbort(unsubscribe);
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ at: new Date().toISOString() }), retry: 3000 });
        while (!stream.aborted) {
          await stream.sleep(HEARTBEAT_MS);
          if (!stream.aborted) await stream.writeSSE({ event: 'ping', data: new Date().toISOString() });
        }
        unsubscribe();
      });
    });
};

const hubs = new WeakMap<AppDeps['db'], LiveEvents>();
function liveFor(deps: AppDeps): LiveEvents {
  let hub = hubs.get(deps.db);
  if (!hub) {
    hub = new LiveEvents(deps.db, deps.logger);
    hubs.set(deps.db, hub);
  }
  return hub;
}
