import type { Db } from './database.js';

/** The stored keys of the given media ids (a primary-key lookup, cheap in batches). */
export async function findMediaKeysByIds(db: Db, ids: string[]) {
  if (!ids.length) return [];
  return db.selectFrom('media').select(['id', 'storage_key', 'thumb_key']).where('id', 'in', ids).execute();
}
