import type { Db } from './database.js';

/** The stored keys of the given media ids (a primary-key lookup, cheap in batches). */
export async function findMediaKeysByIds(db: Db, ids: string[]) {
  if (!ids.length) return [];
  return db.selectFrom('media').select(['id', 'storage_key', 'thumb_key']).where('id', 'in', ids).execute();
}

/** The media rows of one timeline event (a report's photos and video, or a response's photos). */
export async function insertMediaRows(db: Db, reportId: string, eventId: string, media: {
  id: string; kind: 'photo' | 'video'; mime: string; bytes: number; width?: number | null; height?: number | null; mainKey: string; thumbKey?: string | null;
}[]) {
  if (!media.length) return;
  await db.insertInto('media').values(media.map((m) => ({
    id: m.id, report_id: reportId, event_id: eventId, kind: m.kind, mime: m.mime, bytes: m.bytes,
    width: m.width ?? null, height: m.height ?? null, storage_key: m.mainKey, thumb_key: m.thumbKey ?? null,
  }))).execute();
}
