import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';

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

/**
 * One notification per public change for the reporter and each follower,
 * shown on the tracking page. E-mail delivery (when SMTP is configured) reads
 * these rows; it is never done inside the transaction.
 */
export async function notifyPublicChange(trx: Transaction<Database>, reportId: string, change: string): Promise<void> {
  const [vi, en] = MESSAGES[change] ?? [`Trạng thái mới: ${change}`, `New status: ${change}`];
  await trx.insertInto('notifications').values({ report_id: reportId, recipient: 'reporter', channel: 'page', status: change, message_vi: vi, message_en: en }).execute();
  const followers = await trx.selectFrom('report_followers').select('id').where('report_id', '=', reportId).execute();
  if (followers.length) {
    await trx.insertInto('notifications').values(followers.map((f) => ({
      report_id: reportId, recipient: 'follower' as const, follower_id: f.id, channel: 'page' as const, status: change, message_vi: vi, message_en: en,
    }))).execute();
  }
}
