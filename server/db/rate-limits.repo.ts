import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export interface CounterHit {
  key: string;
  windowStart: Date;
  windowEnd: Date;
}

/**
 * Counts one request against each key's current window in a single upsert
 * and returns every key's count so far. Keys are written in sorted order so
 * two concurrent requests lock the same rows in the same order.
 */
export async function incrementCounters(db: Kysely<Database>, hits: CounterHit[]) {
  if (!hits.length) return [];
  const rows = [...hits]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((h) => ({ key: h.key, window_start: h.windowStart, window_end: h.windowEnd, hits: 1 }));
  return db
    .insertInto('rate_limit_counters')
    .values(rows)
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ hits: eb('rate_limit_counters.hits', '+', 1) })))
    .returning(['key', 'hits', 'window_end'])
    .execute();
}

/** Removes the windows that are over; returns how many went. */
export async function deleteEndedCounters(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom('rate_limit_counters').where('window_end', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
