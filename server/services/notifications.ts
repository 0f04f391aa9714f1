import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { findReporterEmail, insertNotifications, listFollowersToNotify } from '../db/notifications.repo.js';

const MESSAGES: Record<string, [string, string]> = {
  verified: ['Phản ánh của bạn đã được xác minh.', 'Your report has been verified.'],
  rejected: ['Phản ánh của bạn không được tiếp nhận. Xem lý do trên trang theo dõi.', 'Your report was not accepted. See the reason on the tracking page.'],
  assigned: ['Phản ánh đã được chuyển đến đơn vị xử lý.', 'Your report has been sent to the responsible unit.'],
  in_progress: ['Đơn vị đang xử lý phản ánh của bạn.', 'The unit is working on your report.'],
  response: ['Đơn vị đã có phản hồi chính thức.', 'The unit has published its official response.'],
  resolved: ['Phản ánh đã được giải quyết. Mời bạn đánh giá mức độ hài lòng.', 'Your report has been resolved. Please rate how satisfied you are.'],
  reopened: ['Phản ánh đã được mở lại để xử lý tiếp.', 'Your report has been reopened.'],
  merged: ['Phản ánh đã được gộp với một phản ánh trùng.', 'Your report was merged with a duplicate.'],
  closed: ['Phản ánh đã kết thúc.', 'Your report is closed.'],
};

/** How long a follow-confirmation link works. */
export const FOLLOW_CONFIRM_HOURS = 48;

/**
 * Queues the double opt-in e-mail to a new e-mail follower: a single-use
 * link (`path`, carrying the token) that must be opened before any status
 * e-mail goes to the address. The link leaves the queue once sent.
 */
export async function queueFollowConfirmation(trx: Transaction<Database>, reportId: string, followerId: string, path: string): Promise<void> {
  await insertNotifications(trx, [{
    report_id: reportId, recipient: 'follower', follower_id: followerId, channel: 'email', status: 'follow_confirm', link: path,
    message_vi: `Bạn (hoặc ai đó) đã đăng ký nhận thư về phản ánh này. Mở liên kết trong ${FOLLOW_CONFIRM_HOURS} giờ để xác nhận; nếu không phải bạn, hãy bỏ qua thư này, bạn sẽ không nhận thêm thư nào.`,
    message_en: `You (or someone) asked for e-mails about this report. Open the link within ${FOLLOW_CONFIRM_HOURS} hours to confirm; if it was not you, ignore this e-mail and you will get no more.`,
  }]);
}

/**
 * One notification per public change for the reporter and each follower,
 * shown on the tracking page; plus, when `email` (SMTP is configured), a queued e-mail
 * to the reporter and to each follower who confirmed an address. Sending happens later, outside the
 * transaction (services/email.ts), so a slow mail server never holds a lock.
 */
export async function notifyPublicChange(trx: Transaction<Database>, reportId: string, change: string, { email }: { email: boolean }): Promise<void> {
  const [vi, en] = MESSAGES[change] ?? [`Trạng thái mới: ${change}`, `New status: ${change}`];
  const base = { report_id: reportId, status: change, message_vi: vi, message_en: en };
  await insertNotifications(trx, [{ ...base, recipient: 'reporter', channel: 'page' }]);
  const followers = await listFollowersToNotify(trx, reportId);
  await insertNotifications(trx, followers.map((f) => ({ ...base, recipient: 'follower' as const, follower_id: f.id, channel: 'page' as const })));
  if (!email) return;
  const reporterEmail = await findReporterEmail(trx, reportId);
  const emails = [
    ...(reporterEmail ? [{ ...base, recipient: 'reporter' as const, channel: 'email' as const }] : []),
    // Double opt-in: an address nobody confirmed gets nothing, so a stranger cannot sign someone up.
    ...followers.filter((f) => f.email && f.email_confirmed_at).map((f) => ({ ...base, recipient: 'follower' as const, follower_id: f.id, channel: 'email' as const })),
  ];
  await insertNotifications(trx, emails);
}
