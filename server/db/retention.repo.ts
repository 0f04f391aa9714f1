import type { Transaction } from 'kysely';
import type { Database } from './database.js';

/** Statuses a report can be closed in; closed_at is set on entering each of them. */
const CLOSED_STATUSES = ['closed', 'rejected', 'withdrawn', 'merged'] as const;

/**
 * Clears the reporter's contact on up to `limit` reports closed before the
 * cutoff and not yet anonymised, oldest first, and returns their ids. Rows
 * another worker holds are skipped, so two replicas never wait on each other.
 */
export async function anonymiseClosedBefore(trx: Transaction<Database>, cutoff: Date, now: Date, limit: number) {
  const due = trx
    .selectFrom('reports')
    .select('id')
    .where('anonymised_at', 'is', null)
    .where('closed_at', 'is not', null)
    .where('closed_at', '<', cutoff)
    .where('status', 'in', [...CLOSED_STATUSES])
    .orderBy('closed_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return trx
    .updateTable('reports')
    .set({ reporter_name: null, reporter_phone: null, reporter_email: null, client_key: null, sender_address: null, anonymised_at: now })
    .where('id', 'in', due)
    .returning('id')
    .execute();
}

/** Clears the contact of everyone who followed these reports ("me too"). */
export async function anonymiseFollowers(trx: Transaction<Database>, reportIds: string[]) {
  if (!reportIds.length) return;
  await trx.updateTable('report_followers').set({ name: null, phone: null, email: null, device_key: null, confirm_token_hash: null }).where('report_id', 'in', reportIds).execute();
}
