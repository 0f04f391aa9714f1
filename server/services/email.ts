import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { Database } from '../db/database.js';
import { leaseQueuedEmails, markNotificationSent } from '../db/notifications.repo.js';
import type { Logger } from '../log.js';

export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

/** An SMTP mailer from a URL such as smtp://user:pass@mail.example.vn:587. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}

const LEASE_MS = 60_000;

/**
 * Sends queued e-mail notifications: leases a batch, sends outside any
 * transaction, then marks each sent. A worker that dies mid-send leaves its
 * batch to be sent again when the lease ends; for a status e-mail a rare
 * duplicate is the lesser harm than a lost one.
 */
export async function sendQueuedEmails(db: Kysely<Database>, mailer: Mailer, publicBaseUrl: string | undefined, logger?: Logger): Promise<number> {
  const now = new Date();
  const leased = await db.transaction().execute((trx) => leaseQueuedEmails(trx, now, LEASE_MS, 20));
  for (const n of leased) {
    const to = n.recipient === 'reporter' ? n.reporter_email : n.follower_email;
    const link = `${publicBaseUrl ?? ''}${n.link ?? `/r/${n.code}`}`;
    try {
      if (to && n.status === 'follow_confirm') {
        await mailer.send({
          to,
          subject: `[${n.code}] Xác nhận nhận thư về phản ánh / Confirm e-mails about a report`,
          text: `${n.title}\n\n${n.message_vi}\nXác nhận: ${link}\n\n${n.message_en}\nConfirm: ${link}\n`,
        });
      } else if (to) {
        await mailer.send({
          to,
          subject: `[${n.code}] ${n.message_vi}`,
          text: `${n.message_vi}\n${n.title}\nTheo dõi: ${link}\n\n${n.message_en}\nTrack it: ${link}\n`,
        });
      }
      // The confirmation link carries a token: it does not stay in the queue once sent.
      await markNotificationSent(db, n.id, new Date());
    } catch (error) {
      logger?.warn({ err: error, notification: n.id }, 'e-mail notification failed; will retry after the lease');
    }
  }
  return leased.length;
}
