import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { insertOutbox } from '../db/outbox.repo.js';
import { insertReportEvent, listResolvedBefore, lockReportById, updateReport } from '../db/reports.repo.js';
import type { Logger } from '../log.js';
import { notifyPublicChange } from './notifications.js';
import { pruneIdempotencyKeys } from './idempotency.js';
import { pruneRateLimits } from './rate-limit.js';
import { anonymiseOldContacts } from './retention.js';
import { assertTransition } from './workflow.js';

const CLOSE_AFTER_DAYS = 7;

/** Resolved reports nobody rated within 7 days are closed, one transaction each. */
export async function closeUnratedResolved(db: Kysely<Database>, { email }: { email: boolean }, now = new Date(), batch = 200): Promise<number> {
  const cutoff = new Date(now.getTime() - CLOSE_AFTER_DAYS * 86_400_000);
  const stale = await listResolvedBefore(db, cutoff, batch);
  let closed = 0;
  for (const { id } of stale) {
    closed += await db.transaction().execute(async (trx) => {
      const r = await lockReportById(trx, id);
      if (r?.status !== 'resolved') return 0;
      // The same state machine as every other status change, though resolved → closed is always allowed.
      assertTransition(r.status, 'closed');
      await updateReport(trx, r.id, { status: 'closed', closed_at: now });
      await insertReportEvent(trx, {
        report_id: r.id, type: 'closed', from_status: 'resolved', to_status: 'closed', public: true, created_at: now,
        note: 'Tự động kết thúc sau 7 ngày không có đánh giá',
      });
      await insertOutbox(trx, { type: 'report.closed', reportId: r.id, unitId: r.unit_id, payload: { code: r.code, satisfied: null } });
      await notifyPublicChange(trx, r.id, 'closed', { email });
      return 1;
    });
  }
  return closed;
}

/**
 * The periodic jobs (main.ts runs them every 10 minutes): auto-close,
 * dropping ended rate-limit windows and day-old Idempotency-Keys, and
 * contact retention. Each runs on its own, so one failing does not stop
 * the others; the counts go to the log.
 */
export async function runPeriodicJobs(db: Kysely<Database>, config: Pick<Config, 'retentionMonths' | 'smtpUrl'>, logger: Logger, now = new Date()) {
  const jobs: [string, () => Promise<number>][] = [
    ['auto-close', () => closeUnratedResolved(db, { email: !!config.smtpUrl }, now)],
    ['rate-limit cleanup', () => pruneRateLimits(db, now)],
    ['idempotency-key cleanup', () => pruneIdempotencyKeys(db, now)],
    ['contact retention', () => anonymiseOldContacts(db, { months: config.retentionMonths, now })],
  ];
  for (const [job, run] of jobs) {
    try {
      const count = await run();
      if (count > 0) logger.info({ job, count, ...(job === 'contact retention' ? { months: config.retentionMonths } : {}) }, `${job}: ${count}`);
    } catch (err) {
      logger.error({ err, job }, `${job} failed`);
    }
  }
}
