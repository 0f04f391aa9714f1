import crypto from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { completeKey } from '../../server/db/idempotency.repo.js';
import { claimIdempotencyKey } from '../../server/services/idempotency.js';
import { ENGINES, testDb } from '../integration/context.js';

describe.each(ENGINES)('Idempotency-Key held by a crashed request (%s)', (engine) => {
  it('is taken over once its holder stops touching it, and only one holder can complete it', async () => {
    const db = await testDb(engine);
    const key = crypto.randomUUID();
    const first = await claimIdempotencyKey(db, 'reports', key, 'hash');
    expect(first.kind).toBe('claimed');
    // A live holder's claim is not taken over.
    await expect(claimIdempotencyKey(db, 'reports', key, 'hash')).rejects.toMatchObject({ status: 409, code: 'request_in_progress' });

    // The holder dies: its heartbeat stops and the claim ages.
    await db.updateTable('idempotency_keys').set({ updated_at: sql<Date>`now() - interval '10 minutes'` }).where('key', '=', `reports:${key}`).execute();
    const second = await claimIdempotencyKey(db, 'reports', key, 'hash');
    expect(second.kind).toBe('claimed');

    // Had the first been alive after all, whichever commits second rolls back instead of storing a second report.
    await db.transaction().execute((trx) => completeKey(trx, `reports:${key}`, 201, { code: 'A' }));
    await expect(db.transaction().execute((trx) => completeKey(trx, `reports:${key}`, 201, { code: 'B' })))
      .rejects.toMatchObject({ status: 409 });
    const replay = await claimIdempotencyKey(db, 'reports', key, 'hash');
    expect(replay).toEqual({ kind: 'replay', status: 201, body: { code: 'A' } });
  });
});
