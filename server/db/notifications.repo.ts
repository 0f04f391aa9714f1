import type { Insertable } from 'kysely';
import type { Db, NotificationTable } from './database.js';

type NewNotification = Insertable<NotificationTable>;

export async function insertNotifications(db: Db, rows: NewNotification[]) {
  if (!rows.length) return;
  await db.insertInto('notifications').values(rows).execute();
}

/** A report's followers, with whether their e-mail address is confirmed. */
export async function listFollowersToNotify(db: Db, reportId: string) {
  return db.selectFrom('report_followers').select(['id', 'email', 'email_confirmed_at']).where('report_id', '=', reportId).execute();
}

export async function findReporterEmail(db: Db, reportId: string): Promise<string | null> {
  return (await db.selectFrom('reports').select('reporter_email').where('id', '=', reportId).executeTakeFirst())?.reporter_email ?? null;
}

/**
 * Up to `limit` unsent e-mail notifications nobody holds, oldest first, leased
 * until now + leaseMs so another worker skips them. Call inside a transaction.
 */
export async function leaseQueuedEmails(trx: Db, now: Date, leaseMs: number, limit: number) {
  const rows = await trx
    .selectFrom('notifications as n')
    .innerJoin('reports as r', 'r.id', 'n.report_id')
    .leftJoin('report_followers as f', 'f.id', 'n.follower_id')
    .where('n.channel', '=', 'email')
    .where('n.sent_at', 'is', null)
    .where((eb) => eb.or([eb('n.lease_until', 'is', null), eb('n.lease_until', '<', now)]))
    .select(['n.id', 'n.status', 'n.link', 'n.message_vi', 'n.message_en', 'r.code', 'r.title', 'n.recipient', 'r.reporter_email', 'f.email as follower_email'])
    .orderBy('n.id')
    .limit(limit)
    .forUpdate('n')
    .skipLocked()
    .execute();
  if (rows.length) {
    await trx.updateTable('notifications').set({ lease_until: new Date(now.getTime() + leaseMs) }).where('id', 'in', rows.map((r) => r.id)).execute();
  }
  return rows;
}

/** Sent: off the queue, and a confirmation link (it carries a token) is not kept. */
export async function markNotificationSent(db: Db, id: string, at: Date) {
  await db.updateTable('notifications').set({ sent_at: at, lease_until: null, link: null }).where('id', '=', id).execute();
}
