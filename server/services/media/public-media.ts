import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { findMedia } from '../../db/reports.repo.js';
import { HIDDEN_STATUSES, type ReportStatus } from '../../domain/statuses.js';

/**
 * A photo or video anyone may load, or undefined: its report must be public
 * (not held for review, and not rejected, merged or withdrawn).
 */
export async function findPublicMedia(db: Kysely<Database>, id: string) {
  const media = await findMedia(db, id);
  if (!media || media.needs_review || (HIDDEN_STATUSES as readonly ReportStatus[]).includes(media.report_status)) return undefined;
  return media;
}
