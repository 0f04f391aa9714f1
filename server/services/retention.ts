import type { Kysely } from 'kysely';
import { insertAudit } from '../db/audit.repo.js';
import type { Database } from '../db/database.js';
import { anonymiseClosedBefore, anonymiseFollowers } from '../db/retention.repo.js';

/** The moment `months` calendar months before `now` (UTC); the 31st falls back to the month's last day. */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface RetentionOptions {
  months: number;
  now?: Date;
  /** Reports per transaction, so no lock is held for long. */
  batch?: number;
  /** Batches per run; the rest waits for the next run of the jobs loop. */
  maxBatches?: number;
}

/**
 * Removes the reporter's name, phone, e-mail and client key, and the
 * followers' contact, from reports closed more than `months` ago. Each report
 * is done once (anonymised_at), in batches; one audit row records the run.
 * Returns how many reports were anonymised.
 */
export async function anonymiseOldContacts(db: Kysely<Database>, opts: RetentionOptions): Promise<number> {
  const now = opts.now ?? new Date();
  const cutoff = monthsBefore(now, opts.months);
  const batch = opts.batch ?? 500;
  const maxBatches = opts.maxBatches ?? 20;
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const done = await db.transaction().execute(async (trx) => {
      const rows = await anonymiseClosedBefore(trx, cutoff, now, batch);
      await anonymiseFollowers(trx, rows.map((r) => r.id));
      return rows.length;
    });
    total += done;
    if (done < batch) break;
  }
  if (total > 0) {
    await insertAudit(db, {
      actorId: null, action: 'retention.anonymise', entity: 'reports', entityId: cutoff.toISOString(),
      after: { reports: total, months: opts.months }, reason: `Contact details removed ${opts.months} months after closure`,
    });
  }
  return total;
}
