import type { Kysely } from 'kysely';
import type { Config, RateLimit, RateLimitScope } from '../config.js';
import type { Database } from '../db/database.js';
import { deleteEndedCounters, incrementCounters, type CounterHit } from '../db/rate-limits.repo.js';
import { DomainError } from '../errors.js';
import { msg } from '../messages.js';

/** A refused request; the route turns `retryAfter` into the Retry-After header. */
export class RateLimited extends DomainError {
  constructor(readonly retryAfter: number) {
    super('rate_limited', msg('error.rate_limited', { seconds: retryAfter }), { retry_after: String(retryAfter) });
  }
}

/** The fixed window holding `now`; windows are aligned to the epoch, so every replica agrees on them. */
export function windowAt(now: Date, windowS: number): { start: Date; end: Date } {
  const ms = windowS * 1000;
  const start = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(start), end: new Date(start + ms) };
}

export interface Requester {
  /** The address key (see routes/rate-limit.ts); 'unknown' when the request came with none. */
  ip: string;
  /** A client id: the dashboard's device id or an Open311 API key. */
  client?: string;
}

/**
 * Counts one request for the requester's address and client in the scope's
 * windows, with one upsert, and throws RateLimited when either is over its
 * limit. A refused request still counts, so a client that keeps hammering
 * stays refused until the window ends.
 */
export async function consumeRateLimit(
  db: Kysely<Database>,
  limits: Record<RateLimitScope, { ip: RateLimit; client: RateLimit }>,
  scope: RateLimitScope,
  who: Partial<Requester>,
  now = new Date(),
): Promise<void> {
  const checks: (CounterHit & { max: number })[] = [];
  const add = (kind: 'ip' | 'client', id: string, limit: RateLimit) => {
    const w = windowAt(now, limit.windowS);
    checks.push({ key: `${scope}:${kind}:${id}`, windowStart: w.start, windowEnd: w.end, max: limit.max });
  };
  if (who.ip !== undefined) add('ip', who.ip, limits[scope].ip);
  if (who.client !== undefined) add('client', who.client, limits[scope].client);
  const counted = await incrementCounters(db, checks);
  let wait = 0;
  for (const row of counted) {
    const check = checks.find((c) => c.key === row.key)!;
    if (row.hits > check.max) wait = Math.max(wait, Math.ceil((row.window_end.getTime() - now.getTime()) / 1000));
  }
  if (wait > 0) throw new RateLimited(Math.max(wait, 1));
}

/** Drops the counters of windows that have ended; run by the jobs loop. */
export async function pruneRateLimits(db: Kysely<Database>, now = new Date()): Promise<number> {
  return deleteEndedCounters(db, now);
}
